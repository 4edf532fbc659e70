// Config versions. Every netcast node saves `configVersion` (the editor's defaults put the current
// one on new nodes); a saved config without it is version 0. When a node starts, its config is
// upgraded through the steps of its type, one version at a time, before anything reads it, so an
// older saved flow keeps working unchanged. The editor does the same when an old node's dialog
// opens (nodes/shared/config-version.html) and stores the new version when it is saved.
//
// To change a saved property in a later release: add a step to the type's list in STEPS (it gets
// a version-N config and returns a version-N+1 one, never dropping what it does not understand),
// bump the editor's `configVersion` default for that type, and add an old flow to
// test/node/config-version.test.js.
import type { Node, NodeAPI, NodeDef } from './red';
import { applySiteDefaults, isSiteField } from './site-defaults';

export const CONFIG_VERSION = 'configVersion';

type Config = Record<string, unknown>;
export type UpgradeStep = (config: Config) => Config;

/**
 * What version 1 holds, per property: its kind, and the default the runtime has always used when
 * the property is missing (none for properties the user must fill in). Properties that an admin
 * default can fill (site-defaults.ts) stay blank so that default still applies.
 */
type Field =
  | { kind: 'number'; value?: number }
  | { kind: 'boolean'; value: boolean }
  /** one of a fixed set; blank means the default, like missing */
  | { kind: 'choice'; value: string }
  /** free text; only a missing value takes the default (a blank one is meaningful) */
  | { kind: 'text'; value: string }
  | { kind: 'list' };

type Fields = Record<string, Field>;

const num = (value?: number): Field => ({ kind: 'number', value });
const bool = (value: boolean): Field => ({ kind: 'boolean', value });
const choice = (value: string): Field => ({ kind: 'choice', value });
const text = (value = ''): Field => ({ kind: 'text', value });
const list: Field = { kind: 'list' };

const FRAMING: Fields = {
  framing: choice('raw'),
  delimiter: text('\\n'),
  delimiterFormat: choice('text'),
  keepDelimiter: bool(false),
  fixedLength: num(),
  lengthOffset: num(0),
  lengthSize: num(2),
  lengthEndian: choice('be'),
  lengthAdjust: num(0),
  lengthStrip: num(0),
  startMarker: text('02'),
  endMarker: text('03'),
  markerFormat: choice('hex'),
  keepMarkers: bool(false),
  idleGap: num(20),
  maxFrame: num(),
};

const COMMON: Fields = { name: text() };
const ATTACHED: Fields = { ...COMMON, endpoint: text() };

/** The properties of each type at version 1, with the runtime's defaults. */
export const FIELDS: Readonly<Record<string, Fields>> = {
  'netcast-tcp-endpoint': {
    ...COMMON,
    mode: choice('server'),
    host: text(),
    port: num(),
    useTls: bool(false),
    tls: text(),
    requireClientCert: bool(false),
    maxConnections: num(),
    allowlist: text(),
    reusePort: bool(false),
    idleTimeout: num(0),
    connectTimeout: num(10),
    reconnectInitial: num(),
    reconnectMax: num(),
    reconnectFactor: num(2),
    keepAlive: bool(true),
    keepAliveDelay: num(30),
    noDelay: bool(true),
    queueSize: num(),
    queuePolicy: choice('drop-oldest'),
    poolSize: num(100),
    poolIdleTimeout: num(60),
    ...FRAMING,
  },
  'netcast-tcp-request': {
    ...ATTACHED,
    match: choice('next'),
    idOffset: num(0),
    idLength: num(2),
    maxInFlight: num(8),
    window: num(500),
    timeout: num(1000),
    retries: num(0),
    encoding: choice('utf8'),
    output: choice('buffer'),
    topic: text(),
    allowMsgDestination: bool(false),
    errorOutput: bool(false),
    unmatchedOutput: bool(false),
    outputs: num(1),
  },
  'netcast-udp-request': {
    ...ATTACHED,
    mode: choice('answer'),
    timeout: num(1000),
    retries: num(0),
    window: num(2000),
    discoverOutput: choice('list'),
    iface: text(),
    ttl: num(1),
    encoding: choice('utf8'),
    output: choice('buffer'),
    allowMsgDestination: bool(true),
    errorOutput: bool(false),
    outputs: num(1),
  },
  'netcast-tcp-in': { ...ATTACHED, output: choice('utf8'), topic: text(), events: bool(false), batch: bool(false), outputs: num() },
  'netcast-tcp-out': { ...ATTACHED, encoding: choice('utf8'), allowMsgDestination: bool(false) },
  'netcast-udp-endpoint': {
    ...COMMON,
    family: choice('ipv4'),
    localAddress: text(),
    port: num(),
    ipv6Only: bool(false),
    reuseAddr: bool(false),
    reusePort: bool(false),
    broadcast: bool(false),
    remoteHost: text(),
    remotePort: num(),
    receiveBufferSize: num(0),
    sendBufferSize: num(0),
    ...FRAMING,
  },
  'netcast-udp-in': { ...ATTACHED, output: choice('buffer'), topic: text() },
  'netcast-udp-out': { ...ATTACHED, encoding: choice('utf8'), allowMsgDestination: bool(true) },
  'netcast-multicast-group': {
    ...COMMON,
    groups: list,
    port: num(),
    iface: text(),
    ttl: num(),
    loopback: bool(true),
    reuseAddr: bool(true),
    renewInterval: num(),
    receiveBufferSize: num(0),
    sendBufferSize: num(0),
  },
  'netcast-multicast-in': { ...ATTACHED, output: choice('buffer'), topic: text() },
  'netcast-multicast-out': { ...ATTACHED, encoding: choice('utf8') },
  'netcast-websocket-endpoint': {
    ...COMMON,
    mode: choice('server'),
    listenOn: choice('nodered'),
    path: choice('/ws'),
    host: text(),
    port: num(),
    reusePort: bool(false),
    url: text(),
    useTls: bool(false),
    tls: text(),
    subprotocols: text(),
    headers: list,
    auth: choice('none'),
    origins: text(),
    maxConnections: num(),
    heartbeat: num(),
    connectTimeout: num(10),
    reconnectInitial: num(),
    reconnectMax: num(),
    reconnectFactor: num(2),
    maxPayload: num(),
    perMessageDeflate: bool(false),
    queueSize: num(),
    queuePolicy: choice('drop-oldest'),
  },
  'netcast-websocket-in': { ...ATTACHED, output: choice('auto'), topic: text(), events: bool(false), headers: bool(false), outputs: num() },
  'netcast-websocket-out': { ...ATTACHED, encoding: choice('utf8') },
  'netcast-control': { ...ATTACHED },
};

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Version 0 -> 1, for any type: values as the editor typed them become the values they always
 * meant (numeric text -> numbers, "true"/"false" -> booleans), and properties the flow does not
 * have get the default the runtime already used for them. Text that is not a number, and any
 * property this table does not know, is kept as it is: the node still names it in its error.
 */
function normaliseV0(type: string): UpgradeStep {
  const fields = FIELDS[type];
  return (config) => {
    const out: Config = { ...config };
    for (const [key, field] of Object.entries(fields)) {
      const raw = out[key];
      switch (field.kind) {
        case 'number':
          if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw.trim()))) out[key] = Number(raw.trim());
          else if (isBlank(raw) && field.value !== undefined && !isSiteField(type, key)) out[key] = field.value;
          else if (raw === undefined && isSiteField(type, key)) out[key] = '';
          break;
        case 'boolean':
          if (typeof raw === 'string' && /^\s*(true|false)\s*$/i.test(raw)) out[key] = raw.trim().toLowerCase() === 'true';
          else if (isBlank(raw)) out[key] = field.value;
          break;
        case 'choice':
          if (isBlank(raw)) out[key] = field.value;
          break;
        case 'text':
          if (raw === undefined || raw === null) out[key] = field.value;
          break;
        case 'list':
          break;
      }
    }
    return out;
  };
}

/** An in node with events has a second output; a hand-written flow may say events but not outputs. */
function outputsFromEvents(config: Config): Config {
  if (!isBlank(config.outputs) && typeof config.outputs === 'number') return config;
  return { ...config, outputs: config.events === true ? 2 : 1 };
}

/** "239.1.2.3, 232.1.1.1@10.0.0.5" (accepted by hand-written flows) -> [{group, source}], as the editor keeps it. */
function groupsAsList(config: Config): Config {
  const raw = config.groups;
  if (typeof raw !== 'string') return raw === undefined || raw === null ? { ...config, groups: [] } : config;
  const groups = raw
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((part) => {
      const [group, source = ''] = part.split('@');
      return { group, source };
    });
  return { ...config, groups };
}

/** Upgrade headers written as an object ({"X-Api-Key": "..."}, as HTTP nodes take them) -> [{name, value}]. */
function headersAsList(config: Config): Config {
  const raw = config.headers;
  if (raw === undefined || raw === null) return { ...config, headers: [] };
  if (Array.isArray(raw) || typeof raw !== 'object') return config;
  const headers = Object.entries(raw as Record<string, unknown>).map(([name, value]) => ({ name, value: value === undefined || value === null ? '' : String(value) }));
  return { ...config, headers };
}

const then = (...steps: UpgradeStep[]): UpgradeStep => (config) => steps.reduce((acc, step) => step(acc), config);

/** Per type: STEPS[type][n] upgrades a version-n config to version n+1. */
export const STEPS: Readonly<Record<string, readonly UpgradeStep[]>> = {
  'netcast-tcp-endpoint': [normaliseV0('netcast-tcp-endpoint')],
  'netcast-tcp-in': [then(normaliseV0('netcast-tcp-in'), outputsFromEvents)],
  'netcast-tcp-out': [normaliseV0('netcast-tcp-out')],
  'netcast-tcp-request': [normaliseV0('netcast-tcp-request')],
  'netcast-udp-request': [normaliseV0('netcast-udp-request')],
  'netcast-udp-endpoint': [normaliseV0('netcast-udp-endpoint')],
  'netcast-udp-in': [normaliseV0('netcast-udp-in')],
  'netcast-udp-out': [normaliseV0('netcast-udp-out')],
  'netcast-multicast-group': [then(normaliseV0('netcast-multicast-group'), groupsAsList)],
  'netcast-multicast-in': [normaliseV0('netcast-multicast-in')],
  'netcast-multicast-out': [normaliseV0('netcast-multicast-out')],
  'netcast-websocket-endpoint': [then(headersAsList, normaliseV0('netcast-websocket-endpoint'))],
  'netcast-websocket-in': [then(normaliseV0('netcast-websocket-in'), outputsFromEvents)],
  'netcast-websocket-out': [normaliseV0('netcast-websocket-out')],
  'netcast-control': [normaliseV0('netcast-control')],
};

export function currentConfigVersion(type: string): number {
  return STEPS[type]?.length ?? 0;
}

/** The version a saved config says it has: missing is 0; "1" (hand-edited) is 1. */
export function savedConfigVersion(config: Config): number | undefined {
  const raw = config[CONFIG_VERSION];
  if (isBlank(raw)) return 0;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

export interface UpgradeResult {
  config: Config;
  /** the version the flow saved (0 when it had none) */
  from: number;
  /** the version the config has now */
  to: number;
  /** set when the flow was saved by a newer netcast, or the version is not a number */
  problem?: string;
}

/** Runs the type's steps from the saved version to the current one. Never changes `config`. */
export function upgradeConfig(type: string, config: Config): UpgradeResult {
  const steps = STEPS[type] ?? [];
  const current = steps.length;
  const from = savedConfigVersion(config);
  if (from === undefined) {
    return { config: { ...config }, from: current, to: current, problem: `configVersion ${JSON.stringify(config[CONFIG_VERSION])} is not a version number; the config is used as it is` };
  }
  if (from > current) {
    return { config: { ...config }, from, to: from, problem: `this node was saved by a newer netcast (config version ${from}, this one knows up to ${current}); update @netcast/node-red-transports` };
  }
  let upgraded: Config = { ...config };
  for (let version = from; version < current; version++) upgraded = steps[version](upgraded);
  upgraded[CONFIG_VERSION] = current;
  return { config: upgraded, from, to: current };
}

/** What a node reports about its config: `node.netcastConfig`. */
export interface ConfigReport {
  /** version the flow saved (0 = none) */
  from: number;
  /** version the node runs with */
  to: number;
  /** the upgraded config with admin defaults filled in: what the node actually reads */
  config: NodeDef;
}

export type ConfiguredNode = Node & { netcastConfig?: ConfigReport };

/**
 * The first line of every netcast node constructor after createNode: the saved config upgraded to
 * the current version, blank fields filled from settings.js, recorded on the node as
 * `netcastConfig`. Problems (a newer flow, a bad setting) are warnings; the node still starts.
 */
export function nodeConfig(RED: NodeAPI, node: ConfiguredNode, def: NodeDef): NodeDef {
  const upgraded = upgradeConfig(def.type, def);
  if (upgraded.problem) node.warn(upgraded.problem);
  const warn = (message: string): void => node.warn(message);
  const config = applySiteDefaults(def.type, upgraded.config, RED.settings ?? {}, warn) as NodeDef;
  node.netcastConfig = { from: upgraded.from, to: upgraded.to, config };
  if (upgraded.from < upgraded.to) {
    node.debug?.(`config version ${upgraded.from} upgraded to ${upgraded.to}; open and save the node to store it`);
  }
  return config;
}
