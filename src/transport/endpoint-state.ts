/** What an endpoint is doing right now; every transport reports it the same way. */
export type EndpointState =
  | { phase: 'starting' }
  /** path: a WebSocket server's (several can share one port) */
  | { phase: 'listening'; port: number; clients: number; path?: string }
  | { phase: 'connecting'; target: string }
  /** moved: the flow pointed the client at another target than the configured one */
  | { phase: 'connected'; target: string; clients?: number; moved?: boolean }
  /** connectionless transports: bound, joined, able to send and receive; text says how (in
   *  English), `how` and `detail` say it in parts a status can put in other words */
  | { phase: 'ready'; text: string; how?: 'bound' | 'joined'; detail?: string }
  | { phase: 'reconnecting'; inMs: number; reason: string }
  /** for: what it waits for (an interface), when it is a thing a status can name */
  | { phase: 'waiting'; reason: string; for?: string }
  | { phase: 'failed'; reason: string }
  /** a client told by the flow to stay disconnected (control message) until told to connect */
  | { phase: 'stopped'; reason: string }
  | { phase: 'closed' };

export interface EndpointCounters {
  /** messages dropped because a send queue was full */
  dropped: number;
  /** messages waiting to be sent */
  queued: number;
  /** connections refused (limit, allowlist, auth) */
  refused: number;
  /** servers with authentication: wrong or missing tokens/passwords (each also counted in refused) */
  authFailures?: number;
}

/** What a server reports: its open sessions' queues plus what closed sessions and refusals left. */
export function serverCounters(
  sessions: Iterable<{ readonly queued: number; readonly dropped: number }>,
  droppedByClosedSessions: number,
  refused: number,
): EndpointCounters {
  let queued = 0;
  let dropped = droppedByClosedSessions;
  for (const session of sessions) {
    queued += session.queued;
    dropped += session.dropped;
  }
  return { queued, dropped, refused };
}
