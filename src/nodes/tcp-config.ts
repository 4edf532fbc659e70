// Turns a saved netcast-tcp-endpoint config into transport options. Field names here are public
// API: users' flows store them.
import { createCodec, parseFramingOptions } from '../framing';
import type { BackoffOptions } from '../transport/backoff';
import type { OverflowPolicy } from '../transport/bounded-queue';
import type { TcpClientOptions, TcpCommonOptions, TcpServerOptions } from '../transport/tcp/tcp-options';
import type { TlsMaterial } from '../transport/tls-material';
import { ConfigError, readAllowlist, readBoolean, readChoice, readInteger, readNumber, readPort, readSecondsAsMs, readString } from './shared/config-values';

export type TcpMode = 'server' | 'client';
type Config = Record<string, unknown>;

const QUEUE_POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest'];

export function readMode(config: Config): TcpMode {
  return readChoice(config, 'mode', 'Mode', ['server', 'client'] as const, 'server');
}

function readCommon(config: Config, tls: TlsMaterial | undefined): TcpCommonOptions {
  return {
    port: readPort(config, 'port', 'Port', readMode(config) === 'server'),
    codec: createCodec(parseFramingOptions(config)),
    idleTimeoutMs: readSecondsAsMs(config, 'idleTimeout', { label: 'Idle timeout', min: 0, max: 86400, fallback: 0 }),
    keepAlive: readBoolean(config, 'keepAlive', true),
    keepAliveDelayMs: readSecondsAsMs(config, 'keepAliveDelay', { label: 'Keepalive delay', min: 1, max: 7200, fallback: 30 }),
    noDelay: readBoolean(config, 'noDelay', true),
    queueSize: readInteger(config, 'queueSize', { label: 'Queue size', min: 0, max: 1_000_000, fallback: 1000 }),
    queuePolicy: readChoice(config, 'queuePolicy', 'When the queue is full', QUEUE_POLICIES, 'drop-oldest'),
    maxFramesPerTurn: 256,
    tls,
  };
}

export function readServerOptions(config: Config, tls: TlsMaterial | undefined): TcpServerOptions {
  const allowlist = readAllowlist(config);
  return {
    ...readCommon(config, tls),
    host: readString(config, 'host'),
    maxConnections: readInteger(config, 'maxConnections', { label: 'Max connections', min: 1, max: 100_000, fallback: 100 }),
    allowlist,
    reusePort: readBoolean(config, 'reusePort', false),
    requireClientCert: tls !== undefined && readBoolean(config, 'requireClientCert', false),
  };
}

export function readClientOptions(config: Config, tls: TlsMaterial | undefined): TcpClientOptions {
  const host = readString(config, 'host');
  if (!host) throw new ConfigError('Host is empty; enter the address of the device or server to connect to');
  const initial = readNumber(config, 'reconnectInitial', { label: 'First reconnect delay', min: 0.01, max: 3600, fallback: 0.5 });
  // a blank longest delay is at least the first (settings.js socketReconnectTime may be over 30 s)
  const max = readNumber(config, 'reconnectMax', { label: 'Longest reconnect delay', min: 0.01, max: 86400, fallback: Math.max(30, initial) });
  if (max < initial) throw new ConfigError(`Longest reconnect delay (${max} s) is shorter than the first (${initial} s); make it at least as long`);
  const backoff: BackoffOptions = {
    initialMs: initial * 1000,
    maxMs: max * 1000,
    factor: readNumber(config, 'reconnectFactor', { label: 'Reconnect growth factor', min: 1, max: 10, fallback: 2 }),
    jitter: 0.2,
  };
  return {
    ...readCommon(config, tls),
    host,
    connectTimeoutMs: readSecondsAsMs(config, 'connectTimeout', { label: 'Connect timeout', min: 0.1, max: 600, fallback: 10 }),
    backoff,
    pool: {
      maxConnections: readInteger(config, 'poolSize', { label: 'Max pooled connections', min: 1, max: 100_000, fallback: 100 }),
      idleMs: readSecondsAsMs(config, 'poolIdleTimeout', { label: 'Close pooled connections idle for', min: 0.01, max: 86400, fallback: 60 }),
      queueSize: Math.max(1, readInteger(config, 'queueSize', { label: 'Queue size', min: 0, max: 1_000_000, fallback: 1000 })),
    },
  };
}
