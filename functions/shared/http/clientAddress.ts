import type { IncomingMessage } from 'node:http';

/**
 * Proxies in front of a function that append the address they were reached from to
 * `X-Forwarded-For`: Google's front end for a function URL (the socket's peer is Google's
 * infrastructure, never the client). Behind an external load balancer that adds its own entry,
 * this is 2.
 */
export const TRUSTED_PROXY_HOPS = 1;

/**
 * The client's address for the request log: the entry `hops` from the right of
 * `X-Forwarded-For` + the socket's peer. Why not Express's `req.ip`: the framework sets `trust
 * proxy` to true, so `req.ip` is the left-most entry, which the client writes itself. Everything
 * left of the trusted hops is unverifiable; with fewer entries than hops, the left-most is used.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, hops = TRUSTED_PROXY_HOPS): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const forwarded = header === undefined ? [] : (Array.isArray(header) ? header.join(',') : header).split(',');
  const chain = [...forwarded.map((a) => a.trim()).filter((a) => a !== ''), req.socket.remoteAddress];
  return chain[Math.max(chain.length - 1 - hops, 0)];
}
