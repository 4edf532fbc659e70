// The wiring every transport's nodes share: a config node that owns its endpoint, and in/out
// nodes that attach to it. Each transport's adapter only adds what is its own.
import type { EndpointState } from '../../transport/endpoint-state';
import { ConfigError } from './config-values';
import { EndpointOwner, type OwnedEndpoint } from './endpoint-owner';
import { mirrorEndpointStatus, type StatusSource } from './endpoint-status';
import type { ObservedEndpoint, Transport } from './endpoint-registry';
import { registryFor } from './operations';
import { errorReport, reportError } from './error-report';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { catalogWords, englishWords, statusFor, type StatusWords } from './status';

export interface ManagedEndpoint extends OwnedEndpoint, ObservedEndpoint {
  readonly state: StatusSource['state'];
  readonly counters: StatusSource['counters'];
  on(event: 'state', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error, session?: never) => void): unknown;
  off(event: 'state', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

export interface EndpointConfigNode<E extends ManagedEndpoint> extends Node {
  owner: EndpointOwner<E>;
}

const WORKING: ReadonlySet<EndpointState['phase']> = new Set(['listening', 'connected', 'ready']);

/**
 * The body of a config node's constructor: builds the endpoint (a bad setting is reported once,
 * through a node using it, and leaves the node without one), reports every error of the endpoint
 * once (EndpointOwner), and closes the endpoint — calling done only when it is really closed.
 * sessionMessage gives the msg fields of a session's error (ip, port, _session).
 */
export function ownEndpoint<E extends ManagedEndpoint>(
  RED: NodeAPI,
  node: EndpointConfigNode<E>,
  transport: Transport,
  build: () => E,
  sessionMessage?: (session: never) => NodeMessage,
): void {
  let endpoint: E | undefined;
  let configError: Error | undefined;
  try {
    endpoint = build();
  } catch (err) {
    configError = err as Error;
  }
  const owner = new EndpointOwner(endpoint, configError);
  node.owner = owner;
  if (configError) {
    const unused = configError;
    // the nodes using it report it (once); a config node nobody uses still says so in the log
    setImmediate(() => {
      if (!owner.inUse) node.error(errorReport(unused));
    });
  }
  if (endpoint) {
    const watched = endpoint;
    watched.on('error', (err: Error, session?: never) => {
      if (session === undefined) owner.report(err);
      else owner.reportSession(err, sessionMessage ? sessionMessage(session) : {});
    });
    watched.on('state', () => {
      if (WORKING.has(watched.state.phase)) owner.recovered();
    });
  }
  // listed in the operations view (sidebar, admin API, metrics) from now until closed
  const unlist = endpoint
    ? registryFor(RED).add({ id: node.id, name: node.name ?? '', type: node.type, transport, nodes: () => owner.nodeIds }, endpoint)
    : undefined;
  node.on('close', (_removed, done) => {
    const closed = owner.close();
    closed.then(() => unlist?.()).then(done, done);
  });
}

export interface EndpointLink<E extends ManagedEndpoint> {
  endpoint: E;
  /** id of the config node, carried in msg._session so replies find their endpoint */
  endpointId: string;
}

/**
 * A node whose endpoint cannot work says why in its status; reported (to Catch nodes, the log and
 * the debug sidebar) by the node itself unless its endpoint's owner reports it once for all.
 */
export function reportUnusable(node: Node, err: Error, words: StatusWords = englishWords, reported = false): void {
  node.status(statusFor({ phase: 'failed', reason: err.message }, undefined, words));
  // Node-RED wires Catch nodes only once every node of the deploy exists
  if (!reported) setImmediate(() => reportError(node, err));
}

/**
 * Attaches an in node (receives = true) or out node to the endpoint its `endpoint` property
 * names, mirrors the endpoint's status, and detaches on close. Without a working endpoint the
 * node says why and returns undefined; an out node then fails every message with that reason.
 */
export function attachToEndpoint<E extends ManagedEndpoint>(
  RED: NodeAPI,
  node: Node,
  def: NodeDef,
  receives: boolean,
  configLabel: string,
  sends = !receives,
): EndpointLink<E> | undefined {
  const configNode = RED.nodes.getNode(String(def.endpoint ?? '')) as EndpointConfigNode<E> | null;
  const owner = configNode?.owner;
  const endpoint = owner?.attach(node, receives, sends);
  const words = catalogWords(RED, node.type);
  if (!configNode || !owner || !endpoint) {
    const err = owner?.configError ?? new ConfigError(`no ${configLabel} is selected; open the node and choose or add one`);
    reportUnusable(node, err, words, owner !== undefined);
    if (!receives) node.on('input', (_msg, _send, done) => done(errorReport(err)));
    return undefined;
  }
  const stopStatus = mirrorEndpointStatus(node, endpoint, words);
  node.on('close', (_removed, done) => {
    stopStatus();
    owner.detach(node);
    done();
  });
  return { endpoint, endpointId: configNode.id };
}
