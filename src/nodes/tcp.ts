import { TcpClientEndpoint } from '../transport/tcp/tcp-client';
import type { TcpEndpoint } from '../transport/tcp/tcp-endpoint';
import { TcpServerEndpoint } from '../transport/tcp/tcp-server';
import type { TcpSessionInfo } from '../transport/tcp/tcp-session';
import { readBoolean } from './shared/config-values';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, ownEndpoint, type EndpointConfigNode } from './shared/endpoint-nodes';
import { listenToEndpoint } from './shared/endpoint-listeners';
import { errorReport, reportError } from './shared/error-report';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, payloadToBuffer, type PayloadFormat } from './shared/payload';
import { MessageIds } from './shared/message-ids';
import { registeredSettings } from './shared/site-defaults';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import { tlsMaterialFrom } from './shared/tls';
import { targetOf } from './shared/target';
import { plainAddress, sessionIdFor, sessionViews, type SessionView } from './shared/session';
import { readClientOptions, readMode, readServerOptions } from './tcp-config';

function createEndpoint(RED: NodeAPI, def: NodeDef): TcpEndpoint {
  const tls = tlsMaterialFrom(RED, def);
  return readMode(def) === 'server'
    ? new TcpServerEndpoint(readServerOptions(def, tls))
    : new TcpClientEndpoint(readClientOptions(def, tls));
}

/** The msg of a session's error, which the endpoint's owner reports once for all its nodes. */
function errorFields(session: TcpSessionInfo, endpointId: string): NodeMessage {
  const ip = plainAddress(session.remoteAddress);
  return { ip, port: session.remotePort, _session: { type: 'tcp', id: session.id, endpoint: endpointId } };
}

export = function register(RED: NodeAPI): void {
  const ids = new MessageIds();

  function TcpEndpointConfigNode(this: EndpointConfigNode<TcpEndpoint>, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    ownEndpoint(RED, this, 'tcp', () => createEndpoint(RED, def), (session: TcpSessionInfo) => errorFields(session, this.id));
  }

  function TcpInNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<TcpEndpoint>(RED, node, def, true, 'TCP endpoint');
    if (!link) return;
    const { endpoint, endpointId } = link;
    const format: PayloadFormat = parsePayloadFormat(def.output, 'utf8');
    const topic = typeof def.topic === 'string' && def.topic !== '' ? def.topic : undefined;
    const withEvents = readBoolean(def, 'events', false);
    const batch = readBoolean(def, 'batch', false);

    const viewOf = sessionViews((session: TcpSessionInfo) => ({
      ip: plainAddress(session.remoteAddress),
      port: session.remotePort,
      ref: { type: 'tcp', id: session.id, endpoint: endpointId },
    }));
    // one object per message, always the same shape; _session is the session's one frozen object
    const message = (view: SessionView, payload: unknown): NodeMessage =>
      topic === undefined
        ? { _msgid: ids.next(), payload, ip: view.ip, port: view.port, _session: view.ref }
        : { _msgid: ids.next(), payload, topic, ip: view.ip, port: view.port, _session: view.ref };
    const sessionFields = (session: TcpSessionInfo): NodeMessage => {
      const view = viewOf(session);
      return { _msgid: ids.next(), ip: view.ip, port: view.port, _session: view.ref };
    };
    const emitEvent = (event: string, session: TcpSessionInfo | undefined, reason?: string): void => {
      if (!withEvents) return;
      const msg: NodeMessage = session ? sessionFields(session) : { _msgid: ids.next() };
      msg.event = event;
      msg.payload = reason === undefined ? { event } : { event, reason };
      if (topic !== undefined) msg.topic = topic;
      node.send([null, msg]);
    };

    // One send per message: given an array, Node-RED deep-copies every message after the first.
    // A frame the output format cannot take is reported with its text and skipped.
    const onFrames = (session: TcpSessionInfo, frames: Buffer[]): void => {
      const view = viewOf(session);
      if (batch) {
        const payloads: unknown[] = [];
        for (const frame of frames) {
          try {
            payloads.push(bufferToPayload(frame, format));
          } catch (err) {
            reportError(node, err as Error, message(view, frame.toString('utf8')));
          }
        }
        if (payloads.length > 0) node.send(withEvents ? [message(view, payloads), null] : message(view, payloads));
        return;
      }
      for (let i = 0; i < frames.length; i++) {
        let payload: unknown;
        try {
          payload = bufferToPayload(frames[i], format);
        } catch (err) {
          reportError(node, err as Error, message(view, frames[i].toString('utf8')));
          continue;
        }
        const msg = message(view, payload);
        node.send(withEvents ? [msg, null] : msg);
      }
    };
    const onOpen = (session: TcpSessionInfo): void => emitEvent('connect', session);
    const onClose = (session: TcpSessionInfo, reason: string): void => emitEvent('disconnect', session, reason);
    const onRefused = (address: string, reason: string): void => {
      if (!withEvents) return;
      const msg: NodeMessage = { _msgid: ids.next(), event: 'refused', ip: plainAddress(address), payload: { event: 'refused', reason } };
      if (topic !== undefined) msg.topic = topic;
      node.send([null, msg]);
    };
    // the endpoint's owner reports the error itself, once, whatever nodes are attached
    const onError = (err: Error, session?: TcpSessionInfo): void => emitEvent('error', session, err.message);
    // one turn longer: the frames the endpoint's close still emits (an idle-gap frame) reach the flow
    listenToEndpoint(node, endpoint, { frames: onFrames, open: onOpen, close: onClose, refused: onRefused, error: onError }, { lingerOneTurn: true });
  }

  function TcpOutNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<TcpEndpoint>(RED, node, def, false, 'TCP endpoint');
    if (!link) return;
    const { endpoint, endpointId } = link;
    const encoding = parseStringEncoding(def.encoding);
    // msg.host/msg.port: a client endpoint's pool connects to any device (the same pool tcp request uses)
    const allowTarget = readBoolean(def, 'allowMsgDestination', false) && endpoint instanceof TcpClientEndpoint;

    node.on('input', (msg, _send, done) => {
      try {
        const target = allowTarget ? targetOf(msg, (endpoint as TcpClientEndpoint).host, (endpoint as TcpClientEndpoint).port) : undefined;
        if (target) {
          const client = (endpoint as TcpClientEndpoint).pool.client(target);
          if (msg.reset || msg.close) client.endSession(undefined, Boolean(msg.reset));
          else client.send(payloadToBuffer(msg.payload, encoding));
          done();
          return;
        }
        const sessionId = sessionIdFor(msg, 'tcp', endpointId);
        const hasPayload = msg.payload !== undefined && msg.payload !== null;
        if (msg.reset || msg.close) {
          if (hasPayload && !msg.reset) endpoint.send(payloadToBuffer(msg.payload, encoding), sessionId);
          endpoint.endSession(sessionId, Boolean(msg.reset));
        } else {
          endpoint.send(payloadToBuffer(msg.payload, encoding), sessionId);
        }
        done();
      } catch (err) {
        done(errorReport(err as Error));
      }
    });
  }

  RED.nodes.registerType('netcast-tcp-endpoint', TcpEndpointConfigNode, { settings: registeredSettings('netcast-tcp-endpoint', RED.settings) });
  RED.nodes.registerType('netcast-tcp-in', TcpInNode);
  RED.nodes.registerType('netcast-tcp-out', TcpOutNode);
};
