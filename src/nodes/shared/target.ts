import type { Target } from '../../transport/tcp/tcp-client-pool';
import { PayloadError } from './payload';
import type { NodeMessage } from './red';

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/**
 * The device a message names with msg.host / msg.port, checked; a missing one falls back to the
 * endpoint's. Undefined when the message names neither (the endpoint's own connection).
 */
export function targetOf(msg: NodeMessage, defaultHost: string, defaultPort: number): Target | undefined {
  if (!given(msg.host) && !given(msg.port)) return undefined;
  if (given(msg.host) && typeof msg.host !== 'string') throw new PayloadError('msg.host must be a host name or an IP address as text');
  let port = defaultPort;
  if (given(msg.port)) {
    port = Number(msg.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PayloadError(`msg.port must be a port number from 1 to 65535 (got ${JSON.stringify(msg.port)})`);
  }
  return { host: given(msg.host) ? (msg.host as string) : defaultHost, port };
}
