// netcast-multicast-group (a config node joined to one or more groups) with netcast-multicast-in
// and netcast-multicast-out on it, and the admin endpoint that lists the host's interfaces for
// the editor. Config property names are public API: users' flows store them.
import { isIP } from 'node:net';
import { GroupAddressError, type GroupSpec, parseGroupSpec } from '../transport/multicast/group-address';
import { parseInterfaceChoice, summariseInterfaces, systemInterfaces } from '../transport/multicast/interfaces';
import { MulticastEndpoint, type MulticastEndpointOptions } from '../transport/multicast/multicast-endpoint';
import type { Peer } from '../transport/udp/datagram';
import { adminRoute } from './shared/admin-route';
import { readBufferSizes } from './shared/common-readers';
import { ConfigError, readString } from './shared/config-values';
import { MULTICAST_GROUP as F } from './shared/field-tables';
import { readField, readMs } from './shared/fields';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, ownEndpoint, type EndpointConfigNode } from './shared/endpoint-nodes';
import { listenToEndpoint } from './shared/endpoint-listeners';
import { errorReport, reportError } from './shared/error-report';
import { bufferToPayload, parsePayloadFormat, parseStringEncoding, PayloadError, payloadToBuffer } from './shared/payload';
import { MessageIds } from './shared/message-ids';
import { registeredSettings } from './shared/site-defaults';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';

type Config = Record<string, unknown>;

/** Sends held while the socket binds or the interface is missing. */
const PENDING_LIMIT = 1000;
/** A missing interface is looked for again after 0.25 s, then less often, at most every 10 s. */
const RETRY = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

/**
 * `groups` is a list of {group, source} from the editor; a hand-written flow may also give a
 * string such as "239.1.2.3, 232.1.1.1@10.0.0.5".
 */
function readGroups(config: Config): GroupSpec[] {
  const raw = config.groups;
  const entries: Array<{ group: string; source: string }> = [];
  if (typeof raw === 'string') {
    for (const part of raw.split(/[,\s]+/).filter(Boolean)) {
      const [group, source = ''] = part.split('@');
      entries.push({ group, source });
    }
  } else if (Array.isArray(raw)) {
    for (const item of raw as Array<Record<string, unknown>>) {
      entries.push({ group: String(item?.group ?? ''), source: String(item?.source ?? '') });
    }
  }
  const groups = entries.filter((entry) => entry.group.trim() !== '');
  if (groups.length === 0) throw new ConfigError('no multicast group is set; add a group such as 239.1.2.3');
  try {
    return groups.map((entry) => parseGroupSpec(entry.group, entry.source));
  } catch (err) {
    throw new ConfigError((err as GroupAddressError).message);
  }
}

function readMulticastOptions(config: Config): MulticastEndpointOptions {
  const groups = readGroups(config);
  const iface = readField(config, F.iface);
  const choice = parseInterfaceChoice(iface);
  if (choice.kind === 'address') {
    const family = isIP(choice.address) === 4 ? 'ipv4' : 'ipv6';
    const other = groups.find((spec) => spec.family !== family);
    if (other) {
      throw new ConfigError(`Interface ${iface} is an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address but group ${other.group} is not; choose the interface by name (such as eth0) to use both`);
    }
  }
  return {
    groups,
    port: readField(config, F.port),
    interface: choice,
    ttl: readField(config, F.ttl),
    loopback: readField(config, F.loopback),
    reuseAddr: readField(config, F.reuseAddr),
    ...readBufferSizes(config),
    // Windows cannot bind a multicast address; everywhere else this keeps other groups out
    bindToGroup: process.platform !== 'win32',
    renewIntervalMs: readMs(config, F.renewInterval),
    retry: RETRY,
    pendingLimit: PENDING_LIMIT,
    listInterfaces: systemInterfaces,
  };
}

function groupOf(msg: NodeMessage): string | undefined {
  if (msg.group === undefined || msg.group === null || msg.group === '') return undefined;
  if (typeof msg.group !== 'string') throw new PayloadError('msg.group must be a multicast address as text, such as "239.1.2.3"');
  return msg.group;
}

export = function register(RED: NodeAPI): void {
  const ids = new MessageIds();

  function MulticastGroupConfigNode(this: EndpointConfigNode<MulticastEndpoint>, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    ownEndpoint(RED, this, 'multicast', () => new MulticastEndpoint(readMulticastOptions(def)));
    this.owner.endpoint?.on('warning', (message) => this.warn(message));
  }

  function MulticastInNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<MulticastEndpoint>(RED, node, def, true, 'multicast group config');
    if (!link) return;
    const { endpoint } = link;
    endpoint.enableReceiving();
    const format = parsePayloadFormat(def.output);
    const topic = readString(def, 'topic');

    const onMessage = (data: Buffer, peer: Peer, group: string): void => {
      const msg: NodeMessage = { _msgid: ids.next(), group, ip: peer.address, port: peer.port };
      if (topic) msg.topic = topic;
      try {
        msg.payload = bufferToPayload(data, format);
      } catch (err) {
        msg.payload = data;
        reportError(node, err as Error, msg);
        return;
      }
      node.send(msg);
    };
    listenToEndpoint(node, endpoint, { message: onMessage });
  }

  function MulticastOutNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<MulticastEndpoint>(RED, node, def, false, 'multicast group config');
    if (!link) return;
    const { endpoint } = link;
    endpoint.enableSending();
    const encoding = parseStringEncoding(def.encoding);
    node.on('input', (msg, _send, done) => {
      try {
        endpoint.send(payloadToBuffer(msg.payload, encoding), groupOf(msg), (err) => done(err ? errorReport(err) : undefined));
      } catch (err) {
        done(errorReport(err as Error));
      }
    });
  }

  RED.nodes.registerType('netcast-multicast-group', MulticastGroupConfigNode, { settings: registeredSettings('netcast-multicast-group', RED.settings) });
  RED.nodes.registerType('netcast-multicast-in', MulticastInNode);
  RED.nodes.registerType('netcast-multicast-out', MulticastOutNode);

  // The editor's interface drop-down; guarded like core's UDP port list.
  adminRoute(RED, 'get', '/netcast/interfaces', 'netcast-multicast-group.read', (_req, res) => {
    res.json(summariseInterfaces(systemInterfaces()));
  });
};
