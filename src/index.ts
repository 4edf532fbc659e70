// `require('@netcast/node-red-transports')`: the framing library and the shapes of the messages
// the nodes emit. Node-RED loads the nodes themselves from package.json's "node-red" section; this
// entry point never touches Node-RED or a socket, so a function node, a test or any Node program
// can frame bytes exactly as the TCP endpoint does:
//
//   const { createCodec, parseFramingOptions } = require('@netcast/node-red-transports');
//   const codec = createCodec(parseFramingOptions({ framing: 'delimiter', delimiter: '\\n' }));
//   codec.createDecoder().push(Buffer.from('a\nb\n'));   // [<Buffer 61>, <Buffer 62>]
export * from './framing';
export type { SessionRef } from './nodes/shared/session';

/** What `tcp in` and `websocket in` send on their second output when connection events are on. */
export interface ConnectionEventMessage {
  event: 'connect' | 'disconnect' | 'refused' | 'error';
  payload: { event: ConnectionEventMessage['event']; reason?: string };
  ip?: string;
  port?: number;
  _session?: { type: 'tcp' | 'websocket'; id: string; endpoint: string };
  topic?: string;
}

/** What an in node emits for every frame, datagram or WebSocket message. */
export interface ReceivedMessage {
  payload: unknown;
  ip?: string;
  port?: number;
  _session?: { type: 'tcp' | 'websocket'; id: string; endpoint: string };
  /** mcast in: the group the datagram was sent to */
  group?: string;
  topic?: string;
}
