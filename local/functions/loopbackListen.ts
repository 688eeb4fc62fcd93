import * as net from 'node:net';

/**
 * Preloaded (`node -r`) into every function process of the local cloud, before the Functions
 * Framework. Two things the framework cannot be told:
 *
 * - It listens on every interface (`server.listen(port)`); the local cloud serves on 127.0.0.1
 *   only, so a listen without a host is given `127.0.0.1`.
 * - The local cloud starts it with `--port=0`, so the kernel picks a free port and no port chosen
 *   in advance can be taken by someone else before the framework binds it (that race once left
 *   one function answering on another's port). The first server to listen reports its port to
 *   the parent over the IPC channel.
 */
const originalListen = net.Server.prototype.listen;
let reported = false;

net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]): net.Server {
  // listen(port[, backlog][, callback]) with no host: bind the loopback interface only.
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  }
  this.once('listening', () => {
    if (reported || !process.send) return;
    reported = true;
    process.send({ event: 'listening', port: (this.address() as net.AddressInfo).port });
  });
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
};
