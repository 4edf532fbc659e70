// The HTTP(S) server of a WebSocket endpoint that listens on a port of its own: mutual TLS when
// asked, the address allowlist applied to every TCP connection before any HTTP or TLS work (a
// refused client never gets a socket), and plain requests answered 426.
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { explainNetworkError } from '../network-error';
import type { AddressAllowlist } from '../tcp/allowlist';
import type { WebSocketListen } from './websocket-options';

// A TLS client gets this long to finish its handshake (as the TCP server), not Node's two minutes.
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export function createOwnServer(
  listen: Extract<WebSocketListen, { kind: 'port' }>,
  allowlist: AddressAllowlist,
  refuse: (remoteAddress: string, reason: string) => void,
): http.Server {
  const server = listen.tls
    ? https.createServer({
        ...listen.tls,
        requestCert: listen.requireClientCert,
        rejectUnauthorized: listen.requireClientCert,
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      })
    : http.createServer();
  server.on('connection', (socket: net.Socket) => {
    const remote = socket.remoteAddress ?? '';
    if (allowlist.allows(remote)) return;
    socket.destroy();
    refuse(remote, `${remote} is not in the allowed clients list`);
  });
  // a client without an accepted certificate (or a failed or too slow handshake)
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    const remote = socket.remoteAddress ?? '';
    socket.destroy();
    refuse(remote, explainNetworkError(err, { action: 'accept', host: remote || undefined }).message);
  });
  server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
    response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('This port only speaks WebSocket.');
  });
  return server;
}
