// netcast-udp-request: a datagram to a device and its answer, or, for discovery, every answer
// to a broadcast or multicast datagram within a window. The matching and the window live in
// src/transport/request/udp-requester.ts; this adapter converts and emits.
import type { Answer } from '../transport/request/correlator';
import type { DiscoveredAnswer } from '../transport/request/udp-requester';
import type { Peer } from '../transport/udp/datagram';
import type { Destination, UdpEndpoint } from '../transport/udp/udp-endpoint';
import { readBoolean, readChoice, readInteger, readString } from './shared/config-values';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, reportUnusable } from './shared/endpoint-nodes';
import type { MessageIds } from './shared/message-ids';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, PayloadError, payloadToBuffer } from './shared/payload';
import type { Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from './shared/red';
import { MAX_TIMEOUT_MS, readRequestSettings, requestSettingsFor, RequestOutputs } from './shared/request-config';

/** msg.ip / msg.port, checked; missing ones fall back to the endpoint's default remote. */
function destinationOf(msg: NodeMessage): Partial<Destination> {
  const to: Partial<Destination> = {};
  if (msg.ip !== undefined && msg.ip !== null && msg.ip !== '') {
    if (typeof msg.ip !== 'string') throw new PayloadError('msg.ip must be a host name or an IP address as text');
    to.host = msg.ip;
  }
  if (msg.port !== undefined && msg.port !== null && msg.port !== '') {
    const port = Number(msg.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PayloadError(`msg.port must be a port number from 1 to 65535 (got ${JSON.stringify(msg.port)})`);
    to.port = port;
  }
  return to;
}

const rounded = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The constructor of netcast-udp-request, for RED.nodes.registerType. */
export function udpRequestNode(RED: NodeAPI, ids: MessageIds): (this: Node, saved: NodeDef) => void {
  return function UdpRequestNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    let settings;
    let mode: 'answer' | 'discover';
    let windowMs: number;
    let ttl: number;
    try {
      settings = readRequestSettings(def);
      mode = readChoice(def, 'mode', 'Mode', ['answer', 'discover'] as const, 'answer');
      windowMs = readInteger(def, 'window', { label: 'Collect answers for (ms)', min: 1, max: MAX_TIMEOUT_MS, fallback: 2000 });
      ttl = readInteger(def, 'ttl', { label: 'TTL', min: 1, max: 255, fallback: 1 });
    } catch (err) {
      reportUnusable(node, err as Error);
      node.on('input', (_msg, _send, done) => done(err as Error));
      return;
    }
    const link = attachToEndpoint<UdpEndpoint>(RED, node, def, false, 'UDP endpoint');
    if (!link) return;
    const endpoint = link.endpoint;
    const requester = endpoint.requester;
    if (mode === 'discover') endpoint.setMulticastSending(readString(def, 'iface'), ttl);
    const format = parsePayloadFormat(def.output, 'buffer');
    const encoding = parseStringEncoding(def.encoding);
    const allowDestination = readBoolean(def, 'allowMsgDestination', true);
    const oneEach = readChoice(def, 'discoverOutput', 'Answers', ['list', 'each'] as const, 'list') === 'each';
    const outputs = new RequestOutputs(readBoolean(def, 'errorOutput', false), false);

    const onAnswer = (msg: NodeMessage, answer: Answer, peer: Peer): void => {
      msg.payload = bufferToPayload(answer.frame, format);
      msg.ip = peer.address;
      msg.port = peer.port;
      msg.roundTripMs = rounded(answer.roundTripMs);
      msg.attempts = answer.attempts;
    };
    const emitDiscovered = (msg: NodeMessage, send: SendFunction, answers: DiscoveredAnswer[]): void => {
      const items = answers.map(({ frame, peer, afterMs }) => ({ payload: bufferToPayload(frame, format), ip: peer.address, port: peer.port, roundTripMs: rounded(afterMs) }));
      if (!oneEach) {
        msg.payload = items;
        send(outputs.answer(msg));
        return;
      }
      // one message per answer, each a message of its own (its own _msgid); Node-RED copies every
      // message of the array after the first
      const messages = items.map((item) => ({ ...msg, ...item, _msgid: ids.next() }));
      if (messages.length > 0) send(outputs.count === 1 ? [messages] : [messages, null]);
    };

    node.on('input', (msg, send, done) => {
      try {
        const to = allowDestination ? destinationOf(msg) : {};
        const payload = payloadToBuffer(msg.payload, encoding);
        if (mode === 'discover') {
          const window = msg.timeout === undefined ? windowMs : requestSettingsFor(msg, settings).timeoutMs;
          requester.discover(payload, to, window, (err, answers) => {
            if (err) return outputs.fail(node, send, done, msg, err);
            try {
              emitDiscovered(msg, send, answers);
            } catch (conversion) {
              return outputs.fail(node, send, done, msg, conversion as Error);
            }
            done();
          });
          return;
        }
        requester.request(payload, to, requestSettingsFor(msg, settings), (err, answer, peer) => {
          if (err) return outputs.fail(node, send, done, msg, err);
          try {
            onAnswer(msg, answer as Answer, peer as Peer);
          } catch (conversion) {
            return outputs.fail(node, send, done, msg, conversion as Error);
          }
          send(outputs.answer(msg));
          done();
        });
      } catch (err) {
        outputs.fail(node, send, done, msg, err as Error);
      }
    });
  };
}
