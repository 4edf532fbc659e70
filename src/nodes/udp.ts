// netcast-udp-endpoint (one bound socket) with netcast-udp-in and netcast-udp-out on it.
// Config property names are public API: users' flows store them.
import { isIP } from 'node:net';
import { parseFramingOptions, createCodec, type Codec } from '../framing';
import type { Peer } from '../transport/udp/datagram';
import { UdpEndpoint, type Destination, type UdpEndpointOptions } from '../transport/udp/udp-endpoint';
import { readBufferSizes } from './shared/common-readers';
import { ConfigError, readBoolean, readString } from './shared/config-values';
import { UDP_ENDPOINT as F } from './shared/field-tables';
import { readField } from './shared/fields';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, ownEndpoint, type EndpointConfigNode } from './shared/endpoint-nodes';
import { listenToEndpoint } from './shared/endpoint-listeners';
import { errorReport, reportError } from './shared/error-report';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, PayloadError, payloadToBuffer } from './shared/payload';
import { MessageIds } from './shared/message-ids';
import { registeredSettings } from './shared/site-defaults';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';

type Config = Record<string, unknown>;

/** Sends held while the socket binds right after deploy. */
const PENDING_LIMIT = 1000;

function checkAddressFamily(address: string, family: 'ipv4' | 'ipv6', label: string): void {
  const version = isIP(address);
  if (version === 6 && family === 'ipv4') throw new ConfigError(`${label} ${address} is an IPv6 address; set IP version to IPv6, or enter an IPv4 address`);
  if (version === 4 && family === 'ipv6' && label === 'Local address') {
    throw new ConfigError(`${label} ${address} is an IPv4 address; set IP version to IPv4, or enter an IPv6 address`);
  }
}

/** One message per datagram unless a framing splits datagrams that carry several records. */
function readCodec(config: Config): Codec | undefined {
  const options = parseFramingOptions(config);
  if (options.mode === 'raw') return undefined;
  if (options.mode === 'idle') {
    throw new ConfigError('Framing "idle gap" does not apply to UDP: every datagram is already one message; choose "raw" (one message per datagram) or a delimiter or length framing');
  }
  return createCodec(options);
}

function readUdpOptions(config: Config): UdpEndpointOptions {
  const family = readField(config, F.family);
  const localAddress = readField(config, F.localAddress);
  const remoteHost = readField(config, F.remoteHost);
  checkAddressFamily(localAddress, family, 'Local address');
  checkAddressFamily(remoteHost, family, 'Remote host');
  const remotePort = readField(config, F.remotePort);
  if (remoteHost && remotePort === 0) throw new ConfigError(`Remote host ${remoteHost} is set but Remote port is empty; enter the device's port`);
  return {
    family,
    localAddress,
    port: readField(config, F.port),
    ipv6Only: readField(config, F.ipv6Only),
    reuseAddr: readField(config, F.reuseAddr),
    reusePort: readField(config, F.reusePort),
    broadcast: readField(config, F.broadcast),
    ...readBufferSizes(config),
    remoteHost,
    remotePort,
    codec: readCodec(config),
    pendingLimit: PENDING_LIMIT,
  };
}

/** msg.ip / msg.port of a message, checked; missing ones fall back to the endpoint's remote. */
function destinationOf(msg: NodeMessage): Partial<Destination> {
  const to: Partial<Destination> = {};
  if (msg.ip !== undefined && msg.ip !== null && msg.ip !== '') {
    if (typeof msg.ip !== 'string') throw new PayloadError('msg.ip must be a host name or an IP address as text');
    to.host = msg.ip;
  }
  if (msg.port !== undefined && msg.port !== null && msg.port !== '') {
    const port = Number(msg.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new PayloadError(`msg.port must be a port number from 1 to 65535 (got ${JSON.stringify(msg.port)})`);
    }
    to.port = port;
  }
  return to;
}

export = function register(RED: NodeAPI): void {
  const ids = new MessageIds();

  function UdpEndpointConfigNode(this: EndpointConfigNode<UdpEndpoint>, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    ownEndpoint(RED, this, 'udp', () => new UdpEndpoint(readUdpOptions(def)));
    this.owner.endpoint?.on('warning', (message) => this.warn(message));
  }

  function UdpInNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<UdpEndpoint>(RED, node, def, true, 'UDP endpoint');
    if (!link) return;
    const { endpoint } = link;
    const format = parsePayloadFormat(def.output);
    const topic = readString(def, 'topic');

    const onRecords = (records: Buffer[], peer: Peer): void => {
      for (const record of records) {
        const msg: NodeMessage = { _msgid: ids.next(), ip: peer.address, port: peer.port };
        if (topic) msg.topic = topic;
        try {
          msg.payload = bufferToPayload(record, format);
        } catch (err) {
          msg.payload = record;
          reportError(node, err as Error, msg);
          continue;
        }
        node.send(msg);
      }
    };
    listenToEndpoint(node, endpoint, { records: onRecords });
  }

  function UdpOutNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<UdpEndpoint>(RED, node, def, false, 'UDP endpoint');
    if (!link) return;
    const { endpoint } = link;
    const encoding = parseStringEncoding(def.encoding);
    const allowMsgDestination = readBoolean(def, 'allowMsgDestination', true);
    node.on('input', (msg, _send, done) => {
      try {
        const to = allowMsgDestination ? destinationOf(msg) : {};
        endpoint.send(payloadToBuffer(msg.payload, encoding), to, (err) => done(err ? errorReport(err) : undefined));
      } catch (err) {
        done(errorReport(err as Error));
      }
    });
  }

  RED.nodes.registerType('netcast-udp-endpoint', UdpEndpointConfigNode, { settings: registeredSettings('netcast-udp-endpoint', RED.settings) });
  RED.nodes.registerType('netcast-udp-in', UdpInNode);
  RED.nodes.registerType('netcast-udp-out', UdpOutNode);
};
