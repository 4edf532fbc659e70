// The one place that turns msg.payload into bytes and bytes into msg.payload.
import { describeValue } from './describe';

export type StringEncoding = 'utf8' | 'base64' | 'hex';
export type PayloadFormat = 'buffer' | 'utf8' | 'hex' | 'base64' | 'json';

export const STRING_ENCODINGS: readonly StringEncoding[] = ['utf8', 'base64', 'hex'];
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['buffer', 'utf8', 'hex', 'base64', 'json'];

export class PayloadError extends Error {
  readonly code = 'ERR_NETCAST_PAYLOAD';
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function isSerialisedBuffer(value: object): value is { type: 'Buffer'; data: number[] } {
  const candidate = value as { type?: unknown; data?: unknown };
  return candidate.type === 'Buffer' && Array.isArray(candidate.data);
}

function decodeString(text: string, encoding: StringEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const compact = text.replace(/\s+/g, '');
  if (encoding === 'hex') {
    if (!HEX.test(compact)) {
      throw new PayloadError(
        `msg.payload is not valid hex (${describeValue(text)}); send pairs of hex digits such as "0a1b", or set the out node's string encoding to UTF-8`,
      );
    }
    return Buffer.from(compact, 'hex');
  }
  if (!(BASE64.test(compact) && compact.length % 4 === 0) && !BASE64URL.test(compact)) {
    throw new PayloadError(
      `msg.payload is not valid base64 (${describeValue(text)}); check the text, or set the out node's string encoding to UTF-8`,
    );
  }
  return Buffer.from(compact, 'base64');
}

function serialiseJson(value: unknown): string {
  let text: string | undefined;
  let reason = 'it cannot be turned into JSON';
  try {
    text = JSON.stringify(value);
  } catch (err) {
    if (err instanceof Error && /circular/i.test(err.message)) reason = 'it contains a circular reference';
  }
  if (text === undefined) throw new PayloadError(`msg.payload cannot be sent: ${reason}; send a Buffer, a string, or a plain object`);
  return text;
}

/** Bytes to put on the wire for msg.payload: Buffer as is, strings decoded, objects as JSON. */
export function payloadToBuffer(payload: unknown, encoding: StringEncoding = 'utf8'): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return decodeString(payload, encoding);
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload instanceof ArrayBuffer) return Buffer.from(payload);
  if (typeof payload === 'number' || typeof payload === 'boolean' || typeof payload === 'bigint') {
    return Buffer.from(String(payload), 'utf8');
  }
  if (payload === undefined) {
    throw new PayloadError('msg.payload is missing; set msg.payload to the data to send');
  }
  if (typeof payload === 'function' || typeof payload === 'symbol') {
    throw new PayloadError(`msg.payload is a ${typeof payload} and cannot be sent; send a Buffer, a string, or a plain object`);
  }
  if (payload !== null && typeof payload === 'object' && isSerialisedBuffer(payload)) {
    return Buffer.from(payload.data);
  }
  return Buffer.from(serialiseJson(payload), 'utf8');
}

/** msg.payload for bytes that arrived, in the format the in node is configured for. */
export function bufferToPayload(bytes: Buffer, format: PayloadFormat): unknown {
  switch (format) {
    case 'buffer':
      return bytes;
    case 'utf8':
      // no argument: Node's shortest path (utf8 is the default)
      return bytes.toString();
    case 'hex':
      return bytes.toString('hex');
    case 'base64':
      return bytes.toString('base64');
    case 'json': {
      const text = bytes.toString('utf8');
      try {
        return JSON.parse(text);
      } catch {
        throw new PayloadError(`received data is not valid JSON (${describeValue(text)}); set the output to "string" to see it as text`);
      }
    }
  }
}

export function parseStringEncoding(value: unknown): StringEncoding {
  return STRING_ENCODINGS.includes(value as StringEncoding) ? (value as StringEncoding) : 'utf8';
}

/** @param fallback the editor's default for the node, used when a saved flow has none */
export function parsePayloadFormat(value: unknown, fallback: PayloadFormat = 'buffer'): PayloadFormat {
  return PAYLOAD_FORMATS.includes(value as PayloadFormat) ? (value as PayloadFormat) : fallback;
}
