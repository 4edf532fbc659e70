// netcast-tcp-request: sends msg.payload on a TCP client endpoint's connection (or a pooled one
// to msg.host/msg.port) and emits the same message with the answer. The matching, queueing and
// timeouts live in src/transport/request; this adapter only converts and emits.
import type { Answer } from '../transport/request/correlator';
import type { Peer } from '../transport/request/tcp-request-channel';
import type { TcpClientEndpoint } from '../transport/tcp/tcp-client';
import type { TcpEndpoint } from '../transport/tcp/tcp-endpoint';
import { ConfigError, readBoolean, readString } from './shared/config-values';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, reportUnusable } from './shared/endpoint-nodes';
import { errorReport } from './shared/error-report';
import type { MessageIds } from './shared/message-ids';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, payloadToBuffer } from './shared/payload';
import type { Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from './shared/red';
import { plainAddress } from './shared/session';
import { targetOf } from './shared/target';
import { readMatchRule, readRequestSettings, requestSettingsFor, RequestOutputs } from './shared/request-config';

/** The constructor of netcast-tcp-request, for RED.nodes.registerType. */
export function tcpRequestNode(RED: NodeAPI, ids: MessageIds): (this: Node, saved: NodeDef) => void {
  return function TcpRequestNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    let rule;
    let settings;
    try {
      rule = readMatchRule(def);
      settings = readRequestSettings(def);
    } catch (err) {
      reportUnusable(node, err as Error);
      node.on('input', (_msg, _send, done) => done(errorReport(err as Error)));
      return;
    }
    const link = attachToEndpoint<TcpEndpoint>(RED, node, def, false, 'TCP endpoint');
    if (!link) return;
    if (link.endpoint.mode !== 'client') {
      const err = new ConfigError('tcp request needs a TCP endpoint in client mode (it connects to the device); this one is a server: choose or add a client endpoint');
      reportUnusable(node, err);
      node.on('input', (_msg, _send, done) => done(errorReport(err)));
      return;
    }
    const client = link.endpoint as TcpClientEndpoint;
    const pool = client.pool;
    let release: () => void;
    try {
      release = pool.claim(rule);
      pool.channel(); // listens from the start, so stray frames are counted before the first request
    } catch (err) {
      reportUnusable(node, err as Error);
      node.on('input', (_msg, _send, done) => done(errorReport(err as Error)));
      return;
    }
    const format = parsePayloadFormat(def.output, 'buffer');
    const encoding = parseStringEncoding(def.encoding);
    const allowTarget = readBoolean(def, 'allowMsgDestination', false);
    const outputs = new RequestOutputs(readBoolean(def, 'errorOutput', false), readBoolean(def, 'unmatchedOutput', false));
    const topic = readString(def, 'topic');
    const keepPayload = rule.kind === 'none';

    const answered = (msg: NodeMessage, answer: Answer, peer: Peer): void => {
      if (!keepPayload) msg.payload = bufferToPayload(answer.frame, format);
      msg.ip = plainAddress(peer.address);
      msg.port = peer.port;
      msg.roundTripMs = Math.round(answer.roundTripMs * 1000) / 1000;
    };

    node.on('input', (msg, send: SendFunction, done) => {
      try {
        if (msg.reset === true || (typeof msg.reset === 'string' && msg.reset !== '')) {
          pool.reset(msg.reset as string | true);
          if (msg.payload === undefined || msg.payload === null) {
            done();
            return;
          }
        }
        const target = allowTarget ? targetOf(msg, client.host, client.port) : undefined;
        const request = requestSettingsFor(msg, settings);
        const payload = payloadToBuffer(msg.payload, encoding);
        pool.channel(target).request(payload, request, (err, answer, peer) => {
          if (err) {
            outputs.fail(node, send, done, msg, err);
            return;
          }
          try {
            answered(msg, answer as Answer, peer as Peer);
          } catch (conversion) {
            outputs.fail(node, send, done, msg, conversion as Error);
            return;
          }
          send(outputs.answer(msg));
          done();
        });
      } catch (err) {
        outputs.fail(node, send, done, msg, err as Error);
      }
    });

    const onUnmatched = (frame: Buffer, peer: Peer): void => {
      if (!outputs.hasUnmatched) return;
      const msg: NodeMessage = { _msgid: ids.next(), ip: plainAddress(peer.address), port: peer.port };
      if (topic) msg.topic = topic;
      try {
        msg.payload = bufferToPayload(frame, format);
      } catch {
        msg.payload = frame;
      }
      node.send(outputs.unmatched(msg));
    };
    pool.on('unmatched', onUnmatched);
    node.on('close', () => {
      pool.off('unmatched', onUnmatched);
      release();
    });
  };
}
