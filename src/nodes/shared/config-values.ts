import { AddressAllowlist } from '../../transport/tcp/allowlist';
import { describeValue } from './describe';

// Reading values from a node's saved config. The editor stores numbers as strings and users edit
// flow JSON by hand, so every field is checked here and a bad one is named in the error.

export class ConfigError extends Error {
  readonly code = 'ERR_NETCAST_CONFIG';
}

type Config = Record<string, unknown>;

/** Missing, null, or only white space: the field was left empty. */
export function isBlank(value: unknown): boolean {
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

export function readBoolean(config: Config, key: string, fallback: boolean, label = key): boolean {
  const raw = config[key];
  if (isBlank(raw)) return fallback;
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(`${label} must be true or false (got ${describeValue(raw)})`);
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



/** `allowlist`: client addresses and CIDR ranges a server accepts (TCP and WebSocket servers). */
export function readAllowlist(config: Config): AddressAllowlist {
  try {
    return AddressAllowlist.parse(readString(config, 'allowlist'));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
