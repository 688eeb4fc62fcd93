import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may point: never at a private, loopback, link-local (the metadata server is
 * 169.254.169.254), shared, multicast or reserved address, so nobody can make the kit call into
 * its own network (SSRF). Checked when the form is saved (a clear 400) and again at every
 * delivery on the very address connected to (`guardedLookup`), so a name that later resolves
 * somewhere private (DNS rebinding) is refused too. Locally the receivers are test servers on
 * 127.0.0.1, so loopback can be allowed by configuration (`WEBHOOK_ALLOW_LOOPBACK`).
 */
const refused = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(net, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Why `address` may not be called, or undefined when it may. */
export function refusalOf(address: string, allowLoopback: boolean): string | undefined {
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is that IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(ip, family)) return allowLoopback ? undefined : `${address} is a loopback address`;
  if (refused.check(ip, family)) return `${address} is a private, link-local or reserved address`;
  return undefined;
}

/** Why a webhook URL is refused (its scheme, or an address its host resolves to), or undefined. */
export async function webhookUrlRefusal(url: string, allowLoopback: boolean): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(allowLoopback && parsed.protocol === 'http:')) return 'must be an https URL';
  if (parsed.username || parsed.password) return 'must not carry credentials';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
  } catch {
    return `host ${host} does not resolve`;
  }
  for (const { address } of addresses) {
    const why = refusalOf(address, allowLoopback);
    if (why) return `resolves to ${why}`;
  }
  return undefined;
}

/** A `lookup` for http(s).request that refuses to connect to an address `refusalOf` refuses. */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const done = callback as unknown as (
      err: Error | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    lookup(hostname, { ...options, all: true })
      .then((addresses) => {
        const why = addresses.map((a) => refusalOf(a.address, allowLoopback)).find((w) => w !== undefined);
        if (why) return done(Object.assign(new Error(`refused: ${hostname} resolves to ${why}`), { code: 'ESSRF' }), '');
        if ((options as { all?: boolean }).all) return done(null, addresses);
        done(null, addresses[0].address, addresses[0].family);
      })
      .catch((err: Error) => done(err, ''));
  };
}
