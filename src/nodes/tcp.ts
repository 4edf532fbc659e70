import { TcpClientEndpoint } from '../transport/tcp/tcp-client';
import type { TcpEndpoint } from '../transport/tcp/tcp-endpoint';
import { TcpServerEndpoint } from '../transport/tcp/tcp-server';
import type { TcpSessionInfo } from '../transport/tcp/tcp-session';
import { readBoolean } from './shared/config-values';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, ownEndpoint, type EndpointConfigNode } from './shared/endpoint-nodes';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, payloadToBuffer, type PayloadFormat } from './shared/payload';
import { MessageIds } from './shared/message-ids';
import { registeredSettings } from './shared/site-defaults';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import { tlsMaterialFrom } from './shared/tls';
import { targetOf } from './shared/target';
import { plainAddress, sessionIdFor } from './shared/session';
import { readClientOptions, readMode, readServerOptions } from './tcp-config';

function createEndpoint(RED: NodeAPI, def: NodeDef): TcpEndpoint {
  const tls = tlsMaterialFrom(RED, def);
  return readMode(def) === 'server'
    ? new TcpServerEndpoint(readServerOptions(def, tls))
    : new TcpClientEndpoint(readClientOptions(def, tls));
}

function sessionFields(session: TcpSessionInfo, endpointId: string): NodeMessage {
  return { ip: plainAddress(session.remoteAddress), port: session.remotePort, _session: { type: 'tcp', id: session.id, endpoint: endpointId } };
}

export = function register(RED: NodeAPI): void {
  const ids = new MessageIds();

  function TcpEndpointConfigNode(this: EndpointConfigNode<TcpEndpoint>, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    ownEndpoint(this, () => createEndpoint(RED, def));
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

    const toMessage = (session: TcpSessionInfo, payload: unknown): NodeMessage => {
      const msg = sessionFields(session, endpointId);
      msg._msgid = ids.next();
      msg.payload = payload;
      if (topic !== undefined) msg.topic = topic;
      return msg;
    };
    const convert = (session: TcpSessionInfo, frame: Buffer): { ok: true; payload: unknown } | { ok: false } => {
      try {
        return { ok: true, payload: bufferToPayload(frame, format) };
      } catch (err) {
        node.error(err as Error, toMessage(session, frame.toString('utf8')));
        return { ok: false };
      }
    };
    // one send per message: given an array, Node-RED deep-copies every message after the first
    const emitData = (messages: NodeMessage[]): void => {
      for (const msg of messages) node.send(withEvents ? [msg, null] : msg);
    };
    const emitEvent = (event: string, session: TcpSessionInfo | undefined, reason?: string): void => {
      if (!withEvents) return;
      const msg: NodeMessage = session ? sessionFields(session, endpointId) : {};
      msg._msgid = ids.next();
      msg.event = event;
      msg.payload = reason === undefined ? { event } : { event, reason };
      if (topic !== undefined) msg.topic = topic;
      node.send([null, msg]);
    };

    const onFrames = (session: TcpSessionInfo, frames: Buffer[]): void => {
      const payloads: unknown[] = [];
      for (const frame of frames) {
        const converted = convert(session, frame);
        if (converted.ok) payloads.push(converted.payload);
      }
      if (batch) emitData(payloads.length ? [toMessage(session, payloads)] : []);
      else emitData(payloads.map((payload) => toMessage(session, payload)));
    };
    const onOpen = (session: TcpSessionInfo): void => emitEvent('connect', session);
    const onClose = (session: TcpSessionInfo, reason: string): void => emitEvent('disconnect', session, reason);
    const onRefused = (address: string, reason: string): void => {
      if (!withEvents) return;
      const msg: NodeMessage = { _msgid: ids.next(), event: 'refused', ip: plainAddress(address), payload: { event: 'refused', reason } };
      if (topic !== undefined) msg.topic = topic;
      node.send([null, msg]);
    };
    const onError = (err: Error, session?: TcpSessionInfo): void => {
      if (session) node.error(err, sessionFields(session, endpointId));
      emitEvent('error', session, err.message);
    };
    endpoint.on('frames', onFrames).on('open', onOpen).on('close', onClose).on('refused', onRefused).on('error', onError);
    // Node-RED closes a deploy's flow nodes before its config nodes: listening one turn longer lets
    // the frames the endpoint's close still emits (a frame waiting for its idle gap) reach the flow.
    node.on('close', (_removed: boolean, done: () => void) => {
      setImmediate(() => {
        endpoint.off('frames', onFrames).off('open', onOpen).off('close', onClose).off('refused', onRefused).off('error', onError);
        done();
      });
    });
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
        done(err as Error);
      }
    });
  }

  RED.nodes.registerType('netcast-tcp-endpoint', TcpEndpointConfigNode, { settings: registeredSettings('netcast-tcp-endpoint') });
  RED.nodes.registerType('netcast-tcp-in', TcpInNode);
  RED.nodes.registerType('netcast-tcp-out', TcpOutNode);
};
