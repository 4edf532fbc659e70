import { TcpClientEndpoint } from '../transport/tcp/tcp-client';
import type { TcpEndpoint } from '../transport/tcp/tcp-endpoint';
import { TcpServerEndpoint } from '../transport/tcp/tcp-server';
import type { TcpSessionInfo } from '../transport/tcp/tcp-session';
import type { TlsMaterial } from '../transport/tls-material';
import { ConfigError, readBoolean } from './shared/config-values';
import { EndpointOwner } from './shared/endpoint-owner';
import { mirrorEndpointStatus } from './shared/endpoint-status';
import { statusFor } from './shared/status';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, payloadToBuffer, type PayloadFormat } from './shared/payload';
import type { Node, NodeAPI, NodeDef, NodeMessage, TlsConfigNode } from './shared/red';
import { plainAddress, sessionIdFor } from './shared/session';
import { readClientOptions, readMode, readServerOptions } from './tcp-config';

interface TcpEndpointNode extends Node {
  owner: EndpointOwner<TcpEndpoint>;
}

function tlsMaterialFrom(RED: NodeAPI, def: NodeDef): TlsMaterial | undefined {
  if (!readBoolean(def, 'useTls', false)) return undefined;
  const tlsNode = typeof def.tls === 'string' ? (RED.nodes.getNode(def.tls) as TlsConfigNode | null) : null;
  if (!tlsNode) throw new ConfigError('TLS is on but no TLS configuration is selected; choose one, or turn TLS off');
  if (tlsNode.valid === false) throw new ConfigError('the selected TLS configuration could not load its certificate or key; open it and fix the files');
  const material: Record<string, unknown> = {};
  tlsNode.addTLSOptions(material);
  return material as TlsMaterial;
}

function createEndpoint(RED: NodeAPI, def: NodeDef): TcpEndpoint {
  const tls = tlsMaterialFrom(RED, def);
  return readMode(def) === 'server'
    ? new TcpServerEndpoint(readServerOptions(def, tls))
    : new TcpClientEndpoint(readClientOptions(def, tls));
}

function describeMissingEndpoint(owner: EndpointOwner<TcpEndpoint> | undefined): Error {
  return owner?.configError ?? new ConfigError('no TCP endpoint is selected; open the node and choose or add one');
}

/** A node whose endpoint cannot work says why, in its status and to Catch nodes. */
function reportUnusable(node: Node, err: Error): void {
  node.status(statusFor({ phase: 'failed', reason: err.message }));
  node.error(err, {});
}

function sessionFields(session: TcpSessionInfo, endpointId: string): NodeMessage {
  return { ip: plainAddress(session.remoteAddress), port: session.remotePort, _session: { type: 'tcp', id: session.id, endpoint: endpointId } };
}

export = function register(RED: NodeAPI): void {
  function TcpEndpointConfigNode(this: TcpEndpointNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    let endpoint: TcpEndpoint | undefined;
    let configError: Error | undefined;
    try {
      endpoint = createEndpoint(RED, def);
    } catch (err) {
      configError = err as Error;
      this.error(configError);
    }
    const owner = new EndpointOwner(endpoint, configError);
    this.owner = owner;
    if (endpoint) {
      endpoint.on('error', (err, session) => {
        if (!session) owner.report(err);
      });
      endpoint.on('state', () => {
        if (endpoint?.state.phase === 'connected' || endpoint?.state.phase === 'listening') owner.recovered();
      });
    }
    this.on('close', (_removed, done) => {
      owner.close().then(done, done);
    });
  }

  function TcpInNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configNode = RED.nodes.getNode(String(def.endpoint ?? '')) as TcpEndpointNode | null;
    const owner = configNode?.owner;
    const endpoint = owner?.attach(node, true);
    if (!owner || !endpoint) {
      reportUnusable(node, describeMissingEndpoint(owner));
      return;
    }
    const endpointId = configNode.id;
    const format: PayloadFormat = parsePayloadFormat(def.output);
    const topic = typeof def.topic === 'string' && def.topic !== '' ? def.topic : undefined;
    const withEvents = readBoolean(def, 'events', false);
    const batch = readBoolean(def, 'batch', false);

    const toMessage = (session: TcpSessionInfo, payload: unknown): NodeMessage => {
      const msg = sessionFields(session, endpointId);
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
    const emitData = (messages: NodeMessage[]): void => {
      if (messages.length === 0) return;
      node.send(withEvents ? [messages, null] : [messages]);
    };
    const emitEvent = (event: string, session: TcpSessionInfo | undefined, reason?: string): void => {
      if (!withEvents) return;
      const msg: NodeMessage = session ? sessionFields(session, endpointId) : {};
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
    const onRefused = (address: string, reason: string): void => emitEvent('refused', { id: '', remoteAddress: address, remotePort: 0 }, reason);
    const onError = (err: Error, session?: TcpSessionInfo): void => {
      if (session) node.error(err, sessionFields(session, endpointId));
      emitEvent('error', session, err.message);
    };
    endpoint.on('frames', onFrames).on('open', onOpen).on('close', onClose).on('refused', onRefused).on('error', onError);
    const stopStatus = mirrorEndpointStatus(node, endpoint);

    node.on('close', (_removed, done) => {
      endpoint.off('frames', onFrames).off('open', onOpen).off('close', onClose).off('refused', onRefused).off('error', onError);
      stopStatus();
      owner.detach(node);
      done();
    });
  }

  function TcpOutNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configNode = RED.nodes.getNode(String(def.endpoint ?? '')) as TcpEndpointNode | null;
    const owner = configNode?.owner;
    const endpoint = owner?.attach(node, false);
    if (!owner || !endpoint) {
      const err = describeMissingEndpoint(owner);
      reportUnusable(node, err);
      node.on('input', (_msg, _send, done) => done(err));
      return;
    }
    const endpointId = configNode.id;
    const encoding = parseStringEncoding(def.encoding);
    const stopStatus = mirrorEndpointStatus(node, endpoint);

    node.on('input', (msg, _send, done) => {
      try {
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
    node.on('close', (_removed, done) => {
      stopStatus();
      owner.detach(node);
      done();
    });
  }

  RED.nodes.registerType('netcast-tcp-endpoint', TcpEndpointConfigNode);
  RED.nodes.registerType('netcast-tcp-in', TcpInNode);
  RED.nodes.registerType('netcast-tcp-out', TcpOutNode);
};
