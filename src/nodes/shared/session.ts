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

/** What every message of one session carries: the peer's plain address and port, and msg._session. */
export interface SessionView {
  readonly ip: string;
  readonly port: number;
  /** msg._session: frozen, one object shared by all the session's messages (a clone made downstream is a plain copy) */
  readonly ref: Readonly<SessionRef>;
}

/**
 * A lookup that makes a session's view on its first message and hands the same one to every later
 * message, so a message costs one object, not three. Kept per in node, keyed weakly by the
 * transport's session object: it goes with the session.
 */
export function sessionViews<S extends object>(make: (session: S) => { ip: string; port: number; ref: SessionRef }): (session: S) => SessionView {
  const views = new WeakMap<S, SessionView>();
  return (session) => {
    let view = views.get(session);
    if (view === undefined) {
      const made = make(session);
      view = { ip: made.ip, port: made.port, ref: Object.freeze(made.ref) };
      views.set(session, view);
    }
    return view;
  };
}
