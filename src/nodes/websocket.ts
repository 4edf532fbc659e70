import { checkCloseCode } from '../transport/websocket/websocket-endpoint';
import type { WebSocketEndpoint, WebSocketMessage, WebSocketSessionInfo } from '../transport/websocket/websocket-endpoint';
import { WebSocketClientEndpoint } from '../transport/websocket/websocket-client';
import { WebSocketServerEndpoint } from '../transport/websocket/websocket-server';
import { readBoolean } from './shared/config-values';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, ownEndpoint, type EndpointConfigNode } from './shared/endpoint-nodes';
import { listenToEndpoint } from './shared/endpoint-listeners';
import { errorReport, reportError } from './shared/error-report';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, payloadToBuffer, type PayloadFormat, type StringEncoding } from './shared/payload';
import { MessageIds } from './shared/message-ids';
import { registeredSettings } from './shared/site-defaults';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import { plainAddress, sessionIdFor, sessionViews, type SessionRef, type SessionView } from './shared/session';
import { tlsMaterialFrom } from './shared/tls';
import { readClientOptions, readMode, readServerOptions, type WebSocketCredentials } from './websocket-config';

type WebSocketEndpointNode = EndpointConfigNode<WebSocketEndpoint> & Node<WebSocketCredentials>;

const SESSION_TYPE = 'websocket';
// RFC 6455: a close reason fits in 123 bytes.
const MAX_CLOSE_REASON = 123;

function createEndpoint(RED: NodeAPI, def: NodeDef, credentials: WebSocketCredentials): WebSocketEndpoint {
  const tls = tlsMaterialFrom(RED, def);
  if (readMode(def) === 'client') return new WebSocketClientEndpoint(readClientOptions(def, credentials, tls));
  const host = { server: RED.server, httpNodeRoot: RED.settings.httpNodeRoot, verifyClient: RED.settings.webSocketNodeVerifyClient };
  return new WebSocketServerEndpoint(readServerOptions(def, credentials, host, tls));
}

/** Text frames for strings (UTF-8), numbers and objects (JSON); binary frames for bytes. */
function toWebSocketMessage(payload: unknown, encoding: StringEncoding): WebSocketMessage {
  const data = payloadToBuffer(payload, encoding);
  return { data, binary: isBinaryPayload(payload, encoding) };
}

function isBinaryPayload(payload: unknown, encoding: StringEncoding): boolean {
  if (typeof payload === 'string') return encoding !== 'utf8';
  if (payload instanceof Uint8Array || payload instanceof ArrayBuffer) return true;
  const serialised = payload as { type?: unknown; data?: unknown } | null;
  return typeof serialised === 'object' && serialised !== null && serialised.type === 'Buffer' && Array.isArray(serialised.data);
}

function fromWebSocketMessage(message: WebSocketMessage, format: PayloadFormat | 'auto'): unknown {
  if (format === 'auto') return message.binary ? message.data : message.data.toString();
  return bufferToPayload(message.data, format);
}

function parseOutput(value: unknown): PayloadFormat | 'auto' {
  return value === undefined || value === '' || value === 'auto' ? 'auto' : parsePayloadFormat(value);
}

function closeReason(value: unknown): string {
  const text = typeof value === 'string' && value !== '' ? value : 'closed by flow';
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= MAX_CLOSE_REASON ? text : bytes.subarray(0, MAX_CLOSE_REASON).toString('utf8').replace(/\uFFFD$/, '');
}

/** The msg of a session's error, which the endpoint's owner reports once for all its nodes. */
function errorFields(session: WebSocketSessionInfo, endpointId: string): NodeMessage {
  const ip = plainAddress(session.remoteAddress);
  return { ip, port: session.remotePort, _session: { type: SESSION_TYPE, id: session.id, endpoint: endpointId, ip, port: session.remotePort } };
}

export = function register(RED: NodeAPI): void {
  const ids = new MessageIds();

  function WebSocketEndpointConfigNode(this: WebSocketEndpointNode, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    ownEndpoint(RED, this, 'websocket', () => createEndpoint(RED, def, this.credentials ?? {}), (session: WebSocketSessionInfo) => errorFields(session, this.id));
  }

  function WebSocketInNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<WebSocketEndpoint>(RED, node, def, true, 'WebSocket endpoint');
    if (!link) return;
    const { endpoint, endpointId } = link;
    const format = parseOutput(def.output);
    const topic = typeof def.topic === 'string' && def.topic !== '' ? def.topic : undefined;
    const withEvents = readBoolean(def, 'events', false);
    const withHeaders = readBoolean(def, 'headers', false);

    const viewOf = sessionViews((session: WebSocketSessionInfo) => {
      const ip = plainAddress(session.remoteAddress);
      const ref: SessionRef & Record<string, unknown> = { type: SESSION_TYPE, id: session.id, endpoint: endpointId, ip, port: session.remotePort };
      if (withHeaders) ref.headers = session.headers;
      return { ip, port: session.remotePort, ref };
    });
    const sessionFields = (session: WebSocketSessionInfo): NodeMessage => {
      const view = viewOf(session);
      const msg: NodeMessage = { _msgid: ids.next(), ip: view.ip, port: view.port, _session: view.ref };
      if (topic !== undefined) msg.topic = topic;
      return msg;
    };
    // one object per message, always the same shape; _session is the session's one frozen object
    const message = (view: SessionView, payload: unknown): NodeMessage =>
      topic === undefined
        ? { _msgid: ids.next(), payload, ip: view.ip, port: view.port, _session: view.ref }
        : { _msgid: ids.next(), payload, topic, ip: view.ip, port: view.port, _session: view.ref };
    const emitEvent = (event: string, session: WebSocketSessionInfo | undefined, details: Record<string, unknown>): void => {
      if (!withEvents) return;
      const msg: NodeMessage = session ? sessionFields(session) : topic !== undefined ? { _msgid: ids.next(), topic } : { _msgid: ids.next() };
      msg.event = event;
      msg.payload = { event, ...details };
      node.send([null, msg]);
    };

    // one send per message: given an array, Node-RED deep-copies every message after the first
    const onMessages = (session: WebSocketSessionInfo, messages: WebSocketMessage[]): void => {
      const view = viewOf(session);
      for (let i = 0; i < messages.length; i++) {
        let payload: unknown;
        try {
          payload = fromWebSocketMessage(messages[i], format);
        } catch (err) {
          reportError(node, err as Error, message(view, messages[i].data.toString('utf8')));
          continue;
        }
        const msg = message(view, payload);
        node.send(withEvents ? [msg, null] : msg);
      }
    };
    const onOpen = (session: WebSocketSessionInfo): void => emitEvent('connect', session, {});
    const onClose = (session: WebSocketSessionInfo, code: number, reason: string): void => emitEvent('disconnect', session, { code, reason });
    const onRefused = (address: string, reason: string): void => {
      if (!withEvents) return;
      node.send([null, { _msgid: ids.next(), event: 'refused', ip: plainAddress(address), payload: { event: 'refused', reason }, ...(topic !== undefined ? { topic } : {}) }]);
    };
    // the endpoint's owner reports the error itself, once, whatever nodes are attached
    const onError = (err: Error, session?: WebSocketSessionInfo): void => emitEvent('error', session, { reason: err.message });
    listenToEndpoint(node, endpoint, { messages: onMessages, open: onOpen, close: onClose, refused: onRefused, error: onError });
  }

  function WebSocketOutNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<WebSocketEndpoint>(RED, node, def, false, 'WebSocket endpoint');
    if (!link) return;
    const { endpoint, endpointId } = link;
    const encoding = parseStringEncoding(def.encoding);

    node.on('input', (msg, _send, done) => {
      try {
        const sessionId = sessionIdFor(msg, SESSION_TYPE, endpointId);
        const hasPayload = msg.payload !== undefined && msg.payload !== null;
        if (msg.close) {
          const code = checkCloseCode(msg.code);
          if (hasPayload) endpoint.send(toWebSocketMessage(msg.payload, encoding), sessionId);
          endpoint.closeSession(sessionId, code, closeReason(msg.reason));
        } else {
          endpoint.send(toWebSocketMessage(msg.payload, encoding), sessionId);
        }
        done();
      } catch (err) {
        done(errorReport(err as Error));
      }
    });
  }

  RED.nodes.registerType('netcast-websocket-endpoint', WebSocketEndpointConfigNode, {
    credentials: { token: { type: 'password' }, user: { type: 'text' }, password: { type: 'password' } },
    settings: registeredSettings('netcast-websocket-endpoint', RED.settings),
  });
  RED.nodes.registerType('netcast-websocket-in', WebSocketInNode);
  RED.nodes.registerType('netcast-websocket-out', WebSocketOutNode);
};
