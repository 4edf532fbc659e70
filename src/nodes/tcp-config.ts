// Turns a saved netcast-tcp-endpoint config into transport options. Field names here are public
// API: users' flows store them.
import { createCodec, parseFramingOptions } from '../framing';
import type { TcpClientOptions, TcpCommonOptions, TcpServerOptions } from '../transport/tcp/tcp-options';
import type { TlsMaterial } from '../transport/tls-material';
import { readBackoff, readQueue } from './shared/common-readers';
import { ConfigError, readAllowlist } from './shared/config-values';
import { TCP_ENDPOINT as F } from './shared/field-tables';
import { readField, readMs } from './shared/fields';

export type TcpMode = 'server' | 'client';
type Config = Record<string, unknown>;

export function readMode(config: Config): TcpMode {
  return readField(config, F.mode);
}

function readCommon(config: Config, tls: TlsMaterial | undefined): TcpCommonOptions {
  return {
    port: readField(config, F.port, { min: readMode(config) === 'server' ? 0 : 1 }),
    codec: createCodec(parseFramingOptions(config)),
    idleTimeoutMs: readMs(config, F.idleTimeout),
    keepAlive: readField(config, F.keepAlive),
    keepAliveDelayMs: readMs(config, F.keepAliveDelay),
    noDelay: readField(config, F.noDelay),
    ...readQueue(config),
    maxFramesPerTurn: 256,
    tls,
  };
}

export function readServerOptions(config: Config, tls: TlsMaterial | undefined): TcpServerOptions {
  const allowlist = readAllowlist(config);
  return {
    ...readCommon(config, tls),
    host: readField(config, F.host),
    maxConnections: readField(config, F.maxConnections),
    allowlist,
    reusePort: readField(config, F.reusePort),
    requireClientCert: tls !== undefined && readField(config, F.requireClientCert),
  };
}

export function readClientOptions(config: Config, tls: TlsMaterial | undefined): TcpClientOptions {
  const host = readField(config, F.host);
  if (!host) throw new ConfigError('Host is empty; enter the address of the device or server to connect to');
  const backoff = readBackoff(config, true);
  return {
    ...readCommon(config, tls),
    host,
    connectTimeoutMs: readMs(config, F.connectTimeout),
    backoff,
    pool: {
      maxConnections: readField(config, F.poolSize),
      idleMs: readMs(config, F.poolIdleTimeout),
      queueSize: Math.max(1, readField(config, F.queueSize)),
    },
  };
}
