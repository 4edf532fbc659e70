import { FramingError } from './errors';
import { FRAMING_MODES, MAX_FRAME_LIMIT, type FramingOptions } from './types';

/** setTimeout fires at once for longer delays. */
const MAX_TIMER_MS = 2147483647;

/** Checks options however they were built, naming the editor field to fix. */
export function validateFramingOptions(options: FramingOptions): void {
  requireInteger('Max frame size', options.maxFrame, 1, MAX_FRAME_LIMIT);
  switch (options.mode) {
    case 'raw':
    case 'slip':
      return;
    case 'delimiter':
      requireSequence('Delimiter', options.delimiter);
      return;
    case 'fixed':
      requireInteger('Fixed length', options.length, 1, MAX_FRAME_LIMIT);
      requireWithinMaxFrame(`Fixed length (${options.length} bytes)`, options.length, options.maxFrame);
      return;
    case 'length':
      validateLengthOptions(options);
      return;
    case 'markers':
      requireSequence('Start marker', options.start);
      requireSequence('End marker', options.end);
      return;
    case 'idle':
      requireInteger('Idle gap', options.idleMs, 1, MAX_TIMER_MS);
      return;
    default:
      throw new FramingError(`Framing must be one of ${FRAMING_MODES.join(', ')} (got ${JSON.stringify((options as { mode: unknown }).mode)})`);
  }
}

function validateLengthOptions(options: Extract<FramingOptions, { mode: 'length' }>): void {
  const { offset, size, endian, adjust, strip, maxFrame } = options;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) {
    throw new FramingError(`Length field size must be 1, 2, 4 or 8 bytes (got ${String(size)})`);
  }
  requireInteger('Length field offset', offset, 0, MAX_FRAME_LIMIT);
  requireWithinMaxFrame(`Length field offset plus size (${offset + size} bytes)`, offset + size, maxFrame);
  if (endian !== 'be' && endian !== 'le') {
    throw new FramingError(`Length field byte order must be be (big endian) or le (little endian) (got ${JSON.stringify(endian)})`);
  }
  if (!Number.isSafeInteger(adjust)) {
    throw new FramingError(`Length adjustment must be a whole number, negative allowed (got ${String(adjust)})`);
  }
  requireInteger('Bytes to strip', strip, 0, MAX_FRAME_LIMIT);
  requireWithinMaxFrame(`Bytes to strip (${strip})`, strip, maxFrame);
}

function requireInteger(label: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FramingError(`${label} must be a whole number from ${min} to ${max} (got ${String(value)})`);
  }
}

function requireWithinMaxFrame(what: string, value: number, maxFrame: number): void {
  if (value > maxFrame) {
    throw new FramingError(`${what} is more than Max frame size (${maxFrame} bytes), so no frame could be received; raise Max frame size`);
  }
}

function requireSequence(label: string, value: Buffer): void {
  if (!Buffer.isBuffer(value) || value.length === 0) {
    throw new FramingError(`${label} is empty; enter at least one byte, e.g. \\n in text or 0a in hex`);
  }
}
