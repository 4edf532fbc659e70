import { AddressAllowlist } from '../../transport/tcp/allowlist';
import { describeValue } from './describe';

// Reading values from a node's saved config. The editor stores numbers as strings and users edit
// flow JSON by hand, so every field is checked here and a bad one is named in the error.

export class ConfigError extends Error {
  readonly code = 'ERR_NETCAST_CONFIG';
}

type Config = Record<string, unknown>;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export interface IntegerRule {
  label: string;
  min: number;
  max: number;
  fallback?: number;
}

export function readInteger(config: Config, key: string, rule: IntegerRule): number {
  const raw = config[key];
  if (isBlank(raw)) {
    if (rule.fallback !== undefined) return rule.fallback;
    throw new ConfigError(`${rule.label} is empty; enter a whole number from ${rule.min} to ${rule.max}`);
  }
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    throw new ConfigError(`${rule.label} must be a whole number from ${rule.min} to ${rule.max} (got ${describeValue(raw)})`);
  }
  return value;
}

export function readNumber(config: Config, key: string, rule: IntegerRule): number {
  const raw = config[key];
  if (isBlank(raw)) {
    if (rule.fallback !== undefined) return rule.fallback;
    throw new ConfigError(`${rule.label} is empty; enter a number from ${rule.min} to ${rule.max}`);
  }
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(value) || value < rule.min || value > rule.max) {
    throw new ConfigError(`${rule.label} must be a number from ${rule.min} to ${rule.max} (got ${describeValue(raw)})`);
  }
  return value;
}

export function readPort(config: Config, key = 'port', label = 'Port', allowZero = false): number {
  return readInteger(config, key, { label, min: allowZero ? 0 : 1, max: 65535 });
}

export function readBoolean(config: Config, key: string, fallback: boolean): boolean {
  const raw = config[key];
  if (isBlank(raw)) return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return fallback;
}

export function readString(config: Config, key: string, fallback = ''): string {
  const raw = config[key];
  return isBlank(raw) ? fallback : String(raw).trim();
}

export function readChoice<T extends string>(config: Config, key: string, label: string, choices: readonly T[], fallback: T): T {
  const raw = config[key];
  if (isBlank(raw)) return fallback;
  if (choices.includes(raw as T)) return raw as T;
  throw new ConfigError(`${label} must be one of ${choices.join(', ')} (got ${describeValue(raw)})`);
}

/** The largest kernel socket buffer a node may ask for; the editor has the same (nodes/shared/editor-fields.html). */
export const MAX_BUFFER = 256 * 1024 * 1024;

/** receiveBufferSize and sendBufferSize of a UDP or multicast config node: bytes, blank or 0 = the OS default. */
export function readBufferSizes(config: Config): { receiveBufferSize: number; sendBufferSize: number } {
  return {
    receiveBufferSize: readInteger(config, 'receiveBufferSize', { label: 'Receive buffer', min: 0, max: MAX_BUFFER, fallback: 0 }),
    sendBufferSize: readInteger(config, 'sendBufferSize', { label: 'Send buffer', min: 0, max: MAX_BUFFER, fallback: 0 }),
  };
}

/** Seconds in the editor, milliseconds in the transport. */
export function readSecondsAsMs(config: Config, key: string, rule: IntegerRule): number {
  return Math.round(readNumber(config, key, rule) * 1000);
}

/** `allowlist`: client addresses and CIDR ranges a server accepts (TCP and WebSocket servers). */
export function readAllowlist(config: Config): AddressAllowlist {
  try {
    return AddressAllowlist.parse(readString(config, 'allowlist'));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
