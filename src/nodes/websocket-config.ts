// Turns a saved netcast-websocket-endpoint config into transport options. Field names here are
// public API: users' flows store them.
import { describeValue } from './shared/describe';
import type { Server } from 'node:http';
import type { BackoffOptions } from '../transport/backoff';
import type { OverflowPolicy } from '../transport/bounded-queue';
import type { TlsMaterial } from '../transport/tls-material';
import type { ServerAuth } from '../transport/websocket/upgrade-gate';
import { joinPath } from '../transport/websocket/upgrade-routes';
import type {
  WebSocketClientOptions,
  WebSocketCommonOptions,
  WebSocketListen,
  WebSocketServerOptions,
} from '../transport/websocket/websocket-options';
import type { VerifyClient } from '../transport/websocket/verify-client';
import { ConfigError, readAllowlist, readBoolean, readChoice, readInteger, readNumber, readPort, readSecondsAsMs, readString } from './shared/config-values';

export type WebSocketMode = 'server' | 'client';
type Config = Record<string, unknown>;

export interface WebSocketCredentials {
  token?: string;
  user?: string;
  password?: string;
}

/** What the config needs from the running Node-RED to put a server on its HTTP server. */
export interface HostServer {
  server?: Server;
  /** settings.httpNodeRoot: false when Node-RED serves no HTTP nodes */
  httpNodeRoot: unknown;
  /** settings.webSocketNodeVerifyClient: the site-wide check core's WebSocket listeners use */
  verifyClient?: unknown;
}

const QUEUE_POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest'];
const AUTH_KINDS = ['none', 'bearer', 'basic'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function readMode(config: Config): WebSocketMode {
  return readChoice(config, 'mode', 'Mode', ['server', 'client'] as const, 'server');
}

/** "chat, v2.chat" or one per line. */
function readList(config: Config, key: string): string[] {
  return readString(config, key)
    .split(/[\s,]+/)
    .filter((item) => item.length > 0);
}

function readAuth(config: Config, credentials: WebSocketCredentials, role: 'server' | 'client'): ServerAuth {
  const kind = readChoice(config, 'auth', 'Authentication', AUTH_KINDS, 'none');
  const who = role === 'server' ? 'clients must send' : 'to send';
  if (kind === 'bearer') {
    if (!credentials.token) throw new ConfigError(`Authentication is "bearer token" but the token is empty; enter the token ${who}`);
    return { kind, token: credentials.token };
  }
  if (kind === 'basic') {
    if (!credentials.user) throw new ConfigError(`Authentication is "user and password" but the user name is empty; enter the user name ${who}`);
    return { kind, user: credentials.user, password: credentials.password ?? '' };
  }
  return { kind: 'none' };
}

function readCommon(config: Config): WebSocketCommonOptions {
  return {
    maxPayload: readInteger(config, 'maxPayload', { label: 'Max message size', min: 1, max: 512 * 1024 * 1024, fallback: 1024 * 1024 }),
    perMessageDeflate: readBoolean(config, 'perMessageDeflate', false),
    heartbeatMs: readSecondsAsMs(config, 'heartbeat', { label: 'Heartbeat', min: 0, max: 3600, fallback: 30 }),
    queueSize: readInteger(config, 'queueSize', { label: 'Queue size', min: 0, max: 1_000_000, fallback: 1000 }),
    queuePolicy: readChoice(config, 'queuePolicy', 'When the queue is full', QUEUE_POLICIES, 'drop-oldest'),
    maxMessagesPerTurn: 256,
  };
}

function readListen(config: Config, host: HostServer, tls: TlsMaterial | undefined): WebSocketListen {
  const path = readString(config, 'path', '/ws');
  if (!path.startsWith('/')) throw new ConfigError(`Path ${describeValue(path)} must start with /, for example /ws/chat`);
  const listenOn = readChoice(config, 'listenOn', 'Listen on', ['nodered', 'port'] as const, 'nodered');
  if (listenOn === 'port') {
    const requireClientCert = tls !== undefined && readBoolean(config, 'requireClientCert', false);
    const reusePort = readBoolean(config, 'reusePort', false);
    return { kind: 'port', host: readString(config, 'host'), port: readPort(config, 'port', 'Port', true), path, tls, requireClientCert, reusePort };
  }
  if (host.httpNodeRoot === false) {
    throw new ConfigError('Node-RED serves no HTTP nodes here (httpNodeRoot is false in settings.js); set the endpoint to listen on a port of its own');
  }
  if (!host.server) {
    throw new ConfigError("Node-RED's HTTP server is not available to nodes; set the endpoint to listen on a port of its own");
  }
  const root = typeof host.httpNodeRoot === 'string' ? host.httpNodeRoot : '/';
  return { kind: 'shared', server: host.server, path: joinPath(root, path) };
}

export function readServerOptions(config: Config, credentials: WebSocketCredentials, host: HostServer, tls: TlsMaterial | undefined): WebSocketServerOptions {
  return {
    ...readCommon(config),
    listen: readListen(config, host, tls),
    auth: readAuth(config, credentials, 'server'),
    origins: readList(config, 'origins'),
    maxConnections: readInteger(config, 'maxConnections', { label: 'Max connections', min: 1, max: 100_000, fallback: 100 }),
    subprotocols: readList(config, 'subprotocols'),
    allowlist: readAllowlist(config),
    verifyClient: typeof host.verifyClient === 'function' ? (host.verifyClient as VerifyClient) : undefined,
  };
}

function readUrl(config: Config): string {
  const url = readString(config, 'url');
  if (!url) throw new ConfigError('URL is empty; enter the server address, for example ws://192.168.1.10:8080/feed');
  if (!/^wss?:\/\//i.test(url)) throw new ConfigError(`URL "${url}" must start with ws:// or wss://, for example ws://192.168.1.10:8080/feed`);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`URL "${url}" is not a valid address; write it like ws://host:port/path`);
  }
  return url;
}

/** Extra upgrade headers: [{name, value}]; values may be ${ENV_VAR}, which Node-RED fills in. */
function readHeaders(config: Config): Record<string, string> {
  const rows = Array.isArray(config.headers) ? (config.headers as unknown[]) : [];
  const headers: Record<string, string> = {};
  for (const row of rows) {
    const { name, value } = (row ?? {}) as { name?: unknown; value?: unknown };
    const key = typeof name === 'string' ? name.trim() : '';
    if (key === '') continue;
    if (!HEADER_NAME.test(key)) throw new ConfigError(`Header name "${key}" is not valid; use letters, digits and dashes, for example X-Api-Key`);
    headers[key] = value === undefined || value === null ? '' : String(value);
  }
  return headers;
}

function readBackoff(config: Config): BackoffOptions {
  const initial = readNumber(config, 'reconnectInitial', { label: 'First reconnect delay', min: 0.01, max: 3600, fallback: 0.5 });
  const max = readNumber(config, 'reconnectMax', { label: 'Longest reconnect delay', min: 0.01, max: 86400, fallback: 30 });
  if (max < initial) throw new ConfigError(`Longest reconnect delay (${max} s) is shorter than the first (${initial} s); make it at least as long`);
  return {
    initialMs: initial * 1000,
    maxMs: max * 1000,
    factor: readNumber(config, 'reconnectFactor', { label: 'Reconnect growth factor', min: 1, max: 10, fallback: 2 }),
    jitter: 0.2,
  };
}

export function readClientOptions(config: Config, credentials: WebSocketCredentials, tls: TlsMaterial | undefined): WebSocketClientOptions {
  return {
    ...readCommon(config),
    url: readUrl(config),
    subprotocols: readList(config, 'subprotocols'),
    headers: readHeaders(config),
    auth: readAuth(config, credentials, 'client'),
    tls,
    handshakeTimeoutMs: readSecondsAsMs(config, 'connectTimeout', { label: 'Connect timeout', min: 0.1, max: 600, fallback: 10 }),
    backoff: readBackoff(config),
  };
}
