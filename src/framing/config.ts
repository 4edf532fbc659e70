import { readByteSequence, type ByteSequenceFormat } from './byte-sequence';
import { FramingError } from './errors';
import { DEFAULT_MAX_FRAME, FRAMING_MODES, type FramingMode, type FramingOptions } from './types';
import { validateFramingOptions } from './validate';

// The property names read here are public API: users' saved flows hold them. The editor stores
// numbers as strings and people edit flow JSON by hand, so every value is checked and named.

type Config = Record<string, unknown>;

const DEFAULT_IDLE_MS = 20;
const DEFAULT_LENGTH_SIZE = 2;
const NEWLINE = Buffer.from('\n');
const STX = Buffer.of(0x02);
const ETX = Buffer.of(0x03);

export function parseFramingOptions(config: Config): FramingOptions {
  const options = readModeOptions(readMode(config), config, readInteger(config, 'maxFrame', 'Max frame size', DEFAULT_MAX_FRAME));
  validateFramingOptions(options);
  return options;
}

function readModeOptions(mode: FramingMode, config: Config, maxFrame: number): FramingOptions {
  switch (mode) {
    case 'raw':
    case 'slip':
      return { mode, maxFrame };
    case 'delimiter': {
      const format = readChoice(config, 'delimiterFormat', 'Delimiter format', ['text', 'hex'], 'text');
      return {
        mode,
        delimiter: readSequence(config, 'delimiter', 'Delimiter', format, NEWLINE),
        keepDelimiter: readBoolean(config, 'keepDelimiter', 'Keep delimiter', false),
        maxFrame,
      };
    }
    case 'fixed':
      return { mode, length: readInteger(config, 'fixedLength', 'Fixed length'), maxFrame };
    case 'length':
      return {
        mode,
        offset: readInteger(config, 'lengthOffset', 'Length field offset', 0),
        size: readLengthSize(config),
        endian: readChoice(config, 'lengthEndian', 'Length field byte order', ['be', 'le'], 'be'),
        adjust: readInteger(config, 'lengthAdjust', 'Length adjustment', 0),
        strip: readInteger(config, 'lengthStrip', 'Bytes to strip', 0),
        maxFrame,
      };
    case 'markers': {
      const format = readChoice(config, 'markerFormat', 'Marker format', ['text', 'hex'], 'hex');
      return {
        mode,
        start: readSequence(config, 'startMarker', 'Start marker', format, STX),
        end: readSequence(config, 'endMarker', 'End marker', format, ETX),
        keepMarkers: readBoolean(config, 'keepMarkers', 'Keep markers', false),
        maxFrame,
      };
    }
    case 'idle':
      return { mode, idleMs: readInteger(config, 'idleGap', 'Idle gap', DEFAULT_IDLE_MS), maxFrame };
  }
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Numbers shown as typed, anything else quoted, so the user can find the value in the editor. */
function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return value.trim();
  try {
    const text = JSON.stringify(value) ?? typeof value;
    // the user needs to recognise the value, not to read back a pasted megabyte
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  } catch {
    return typeof value; // BigInt or a cycle: JSON cannot show it
  }
}

function readMode(config: Config): FramingMode {
  const raw = config.framing;
  if (isBlank(raw)) return 'raw';
  const mode = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  const found = FRAMING_MODES.find((known) => known === mode);
  if (found === undefined) throw new FramingError(`Framing must be one of ${FRAMING_MODES.join(', ')} (got ${shown(raw)})`);
  return found;
}

function readInteger(config: Config, key: string, label: string, fallback?: number): number {
  const raw = config[key];
  if (isBlank(raw)) {
    if (fallback !== undefined) return fallback;
    throw new FramingError(`${label} is empty; enter a whole number`);
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value)) throw new FramingError(`${label} must be a whole number (got ${shown(raw)})`);
  return value;
}

function readLengthSize(config: Config): 1 | 2 | 4 | 8 {
  const raw = config.lengthSize;
  if (isBlank(raw)) return DEFAULT_LENGTH_SIZE;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (value === 1 || value === 2 || value === 4 || value === 8) return value;
  throw new FramingError(`Length field size must be 1, 2, 4 or 8 bytes (got ${shown(raw)})`);
}

function readBoolean(config: Config, key: string, label: string, fallback: boolean): boolean {
  const raw = config[key];
  if (isBlank(raw)) return fallback;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (text === true || text === 'true' || text === 1 || text === '1') return true;
  if (text === false || text === 'false' || text === 0 || text === '0') return false;
  throw new FramingError(`${label} must be true or false (got ${shown(raw)})`);
}

function readChoice<T extends string>(config: Config, key: string, label: string, choices: readonly T[], fallback: T): T {
  const raw = config[key];
  if (isBlank(raw)) return fallback;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  const found = choices.find((choice) => choice === text);
  if (found === undefined) throw new FramingError(`${label} must be one of ${choices.join(', ')} (got ${shown(raw)})`);
  return found;
}

/** Not trimmed: a space or a tab is a valid delimiter. Only a missing value takes the default. */
function readSequence(config: Config, key: string, label: string, format: ByteSequenceFormat, fallback: Buffer): Buffer {
  const raw = config[key];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new FramingError(`${label} must be text (got ${shown(raw)})`);
  const bytes = readByteSequence(String(raw), format, label);
  if (bytes.length === 0) {
    throw new FramingError(`${label} is empty; enter at least one byte, e.g. ${format === 'hex' ? '0a' : '\\n'}`);
  }
  return bytes;
}
