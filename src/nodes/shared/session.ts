import type { NodeMessage } from './red';

/** msg._session as the core nodes shape it, plus the endpoint it belongs to. */
export interface SessionRef {
  type: string;
  id: string;
  endpoint?: string;
}

/**
 * The session a reply should go to: only one of this transport and, when the message says
 * which endpoint it came from, of this endpoint — a message that arrived on another endpoint
 * is sent as if it had no session.
 */
export function sessionIdFor(msg: NodeMessage, type: string, endpointId: string): string | undefined {
  const session = msg._session as Partial<SessionRef> | undefined;
  if (!session || typeof session !== 'object' || session.type !== type || typeof session.id !== 'string') return undefined;
  if (session.endpoint !== undefined && session.endpoint !== endpointId) return undefined;
  return session.id;
}

/** IPv4 peers of a dual-stack socket show as ::ffff:a.b.c.d; flows compare plain addresses. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
