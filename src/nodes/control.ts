// netcast-control: steers one endpoint of any transport from a flow with msg.action, as core's
// MQTT nodes do, and answers every action with the endpoint's state, sessions and counters.
//   status                     any endpoint
//   connect / reconnect        TCP client (msg.host, msg.port), WebSocket client (msg.url): optional new target
//   disconnect                 TCP and WebSocket clients: stay disconnected until connect
//   join / leave               multicast group (msg.group, msg.source for SSM)
// A bad action or target is a ControlError through Catch, and nothing changes.
import { isIP } from 'node:net';
import { NetcastError } from '../errors';
import { parseGroupSpec, type GroupSpec } from '../transport/multicast/group-address';
import { MulticastEndpoint } from '../transport/multicast/multicast-endpoint';
import { TcpClientEndpoint } from '../transport/tcp/tcp-client';
import type { Target as TcpTarget } from '../transport/tcp/tcp-client-pool';
import { WebSocketClientEndpoint } from '../transport/websocket/websocket-client';
import { nodeConfig } from './shared/config-version';
import { attachToEndpoint, type ManagedEndpoint } from './shared/endpoint-nodes';
import { snapshotOf } from './shared/endpoint-snapshot';
import { registryFor } from './shared/operations';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';

/** A control message that cannot be carried out; nothing was changed. */
class ControlError extends NetcastError {
  constructor(message: string, code: 'ERR_NETCAST_CONTROL_ACTION' | 'ERR_NETCAST_CONTROL_TARGET') {
    super(message, code);
  }
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** msg.host / msg.port for a TCP client; either may be left out to keep the current one. */
function tcpTarget(msg: NodeMessage, current: TcpTarget): TcpTarget | undefined {
  if (isBlank(msg.host) && isBlank(msg.port)) return undefined;
  let host = current.host;
  if (!isBlank(msg.host)) {
    if (typeof msg.host !== 'string' || !(isIP(msg.host) || HOST_NAME.test(msg.host))) {
      throw new ControlError(`msg.host ${JSON.stringify(msg.host)} is not a host name or IP address; send one such as "192.168.1.20" or "plc.local"`, 'ERR_NETCAST_CONTROL_TARGET');
    }
    host = msg.host;
  }
  let port = current.port;
  if (!isBlank(msg.port)) {
    port = Number(msg.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ControlError(`msg.port ${JSON.stringify(msg.port)} is not a port; send a number from 1 to 65535`, 'ERR_NETCAST_CONTROL_TARGET');
    }
  }
  return { host, port };
}

/** msg.url for a WebSocket client. */
function webSocketTarget(msg: NodeMessage): URL | undefined {
  if (isBlank(msg.url)) return undefined;
  const text = typeof msg.url === 'string' ? msg.url : '';
  let url: URL | undefined;
  try {
    url = /^wss?:\/\//i.test(text) ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) throw new ControlError(`msg.url ${JSON.stringify(msg.url)} is not a WebSocket address; send one such as "ws://192.168.1.10:8080/feed"`, 'ERR_NETCAST_CONTROL_TARGET');
  return url;
}

function groupTarget(msg: NodeMessage): GroupSpec {
  if (typeof msg.group !== 'string' || msg.group === '') {
    throw new ControlError('msg.group is missing; send the multicast group to join or leave, such as "239.1.2.3"', 'ERR_NETCAST_CONTROL_TARGET');
  }
  const source = isBlank(msg.source) ? '' : String(msg.source);
  try {
    return parseGroupSpec(msg.group, source);
  } catch (err) {
    throw new ControlError((err as Error).message, 'ERR_NETCAST_CONTROL_TARGET');
  }
}

function actionsFor(endpoint: unknown): string[] {
  if (endpoint instanceof TcpClientEndpoint || endpoint instanceof WebSocketClientEndpoint) return ['status', 'connect', 'reconnect', 'disconnect'];
  if (endpoint instanceof MulticastEndpoint) return ['status', 'join', 'leave'];
  return ['status'];
}

/** Checks msg and applies its action; throws ControlError before changing anything. */
async function apply(endpoint: ManagedEndpoint, msg: NodeMessage): Promise<void> {
  const action = isBlank(msg.action) ? 'status' : msg.action;
  const allowed = actionsFor(endpoint);
  if (typeof action !== 'string' || !allowed.includes(action)) {
    throw new ControlError(`msg.action ${JSON.stringify(action)} does not apply to this endpoint; use one of: ${allowed.join(', ')}`, 'ERR_NETCAST_CONTROL_ACTION');
  }
  if (action === 'status') return;
  if (endpoint instanceof TcpClientEndpoint) {
    const address = endpoint.report().address;
    const target = action === 'disconnect' ? undefined : tcpTarget(msg, { host: address.host, port: address.port });
    await (action === 'disconnect' ? endpoint.disconnect() : endpoint.connect(target, action === 'reconnect'));
  } else if (endpoint instanceof WebSocketClientEndpoint) {
    const target = action === 'disconnect' ? undefined : webSocketTarget(msg);
    await (action === 'disconnect' ? endpoint.disconnect() : endpoint.connect(target, action === 'reconnect'));
  } else if (endpoint instanceof MulticastEndpoint) {
    const spec = groupTarget(msg);
    if (action === 'join') await endpoint.join(spec);
    else await endpoint.leave(spec.group).catch((err: Error) => Promise.reject(new ControlError(err.message, 'ERR_NETCAST_CONTROL_TARGET')));
  }
}

export = function register(RED: NodeAPI): void {
  const registry = registryFor(RED);

  function ControlNode(this: Node, saved: NodeDef): void {
    RED.nodes.createNode(this, saved);
    const def = nodeConfig(RED, this, saved);
    const node = this;
    const link = attachToEndpoint<ManagedEndpoint>(RED, node, def, false, 'netcast endpoint');
    if (!link) return;
    const { endpoint, endpointId } = link;
    node.on('input', (msg, send, done) => {
      apply(endpoint, msg).then(
        () => {
          const entry = registry.get(endpointId);
          msg.payload = entry ? snapshotOf(entry) : undefined;
          send(msg);
          done();
        },
        (err: Error) => done(err),
      );
    });
  }

  RED.nodes.registerType('netcast-control', ControlNode);
};
