// Binding before the caller returns. Node resolves a listen or bind address through dns.lookup,
// which answers even "127.0.0.1" only on the next tick; inside Node-RED that tick comes after the
// runtime has logged "Started flows" (and, at boot, after several milliseconds more of its start),
// so a device connecting at that line was refused. An IP address needs no resolving: these answer
// it at once, so the socket is bound when listen() or bind() returns. Host names still go to DNS.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, looked up at call time
import dnsModule = require('node:dns');
import { isIP, type ListenOptions, type Server } from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** A dns.lookup for dgram's `lookup` option: IP addresses answered at once, names by dns.lookup. */
export function immediateLookup(hostname: string, options: unknown, callback?: LookupCallback): void {
  const done = (typeof options === 'function' ? options : callback) as LookupCallback;
  const family = isIP(hostname);
  if (family !== 0) {
    done(null, hostname, family);
    return;
  }
  if (typeof options === 'function') dnsModule.lookup(hostname, done);
  else dnsModule.lookup(hostname, (options ?? {}) as dnsModule.LookupOneOptions, done);
}

/**
 * server.listen(options), bound before it returns when the host is blank or an IP address.
 * net.Server.listen looks its host up through the dns module's lookup as it runs; for the length
 * of this one synchronous call that lookup answers an IP address at once.
 */
export function listenNow(server: Server, options: ListenOptions): void {
  if (!options.host || isIP(options.host) === 0) {
    server.listen(options);
    return;
  }
  const dns = dnsModule as { lookup: unknown };
  const original = dns.lookup;
  dns.lookup = immediateLookup;
  try {
    server.listen(options);
  } finally {
    dns.lookup = original;
  }
}
