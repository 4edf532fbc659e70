// Turns a saved netcast-websocket-endpoint config into transport options. Field names here are
// public API: users' flows store them.
import { describeValue } from './shared/describe';
import type { Server } from 'node:http';
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
import { readBackoff, readQueue } from './shared/common-readers';
import { ConfigError, readAllowlist, readString } from './shared/config-values';
import { WEBSOCKET_ENDPOINT as F } from './shared/field-tables';
import { readField, readMs } from './shared/fields';

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

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function readMode(config: Config): WebSocketMode {
  return readField(config, F.mode);
}

/** "chat, v2.chat" or one per line. */
function readList(config: Config, key: string): string[] {
  return readString(config, key)
    .split(/[\s,]+/)
    .filter((item) => item.length > 0);
}

function readAuth(config: Config, credentials: WebSocketCredentials, role: 'server' | 'client'): ServerAuth {
  const kind = readField(config, F.auth);
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
    maxPayload: readField(config, F.maxPayload),
    perMessageDeflate: readField(config, F.perMessageDeflate),
    heartbeatMs: readMs(config, F.heartbeat),
    ...readQueue(config),
    maxMessagesPerTurn: 256,
  };
}

function readListen(config: Config, host: HostServer, tls: TlsMaterial | undefined): WebSocketListen {
  const path = readField(config, F.path);
  if (!path.startsWith('/')) throw new ConfigError(`Path ${describeValue(path)} must start with /, for example /ws/chat`);
  const listenOn = readField(config, F.listenOn);
  if (listenOn === 'port') {
    const requireClientCert = tls !== undefined && readField(config, F.requireClientCert);
    const reusePort = readField(config, F.reusePort);
    return { kind: 'port', host: readField(config, F.host), port: readField(config, F.port), path, tls, requireClientCert, reusePort };
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
    maxConnections: readField(config, F.maxConnections),
    subprotocols: readList(config, 'subprotocols'),
    allowlist: readAllowlist(config),
    verifyClient: typeof host.verifyClient === 'function' ? (host.verifyClient as VerifyClient) : undefined,
  };
}

function readUrl(config: Config): string {
  const url = readField(config, F.url);
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

export function readClientOptions(config: Config, credentials: WebSocketCredentials, tls: TlsMaterial | undefined): WebSocketClientOptions {
  return {
    ...readCommon(config),
    url: readUrl(config),
    subprotocols: readList(config, 'subprotocols'),
    headers: readHeaders(config),
    auth: readAuth(config, credentials, 'client'),
    tls,
    handshakeTimeoutMs: readMs(config, F.connectTimeout),
    backoff: readBackoff(config),
  };
}
