import { FramingError } from './errors';

export type ByteSequenceFormat = 'text' | 'hex';

/**
 * Delimiters and markers as users type them: text with escapes (\n \r \t \0 \\ \xHH \uHHHH),
 * or hex in any of the usual spellings (0d0a, 0D 0A, 0x0d,0x0a, 0d:0a).
 */
export function parseByteSequence(text: string, format: ByteSequenceFormat): Buffer {
  return readByteSequence(text, format, 'Byte sequence');
}

/** `label` names the editor field in error messages. */
export function readByteSequence(text: string, format: ByteSequenceFormat, label: string): Buffer {
  if (format === 'hex') return readHex(text, label);
  if (format === 'text') return readText(text, label);
  throw new FramingError(`${label} format must be text or hex (got ${JSON.stringify(format)})`);
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' };
const ESCAPE_HELP = 'use \\n, \\r, \\t, \\0, \\\\, \\xHH or \\uHHHH';

function readText(text: string, label: string): Buffer {
  const parts: Buffer[] = [];
  // Characters are collected as a string so that \uD83D\uDE00 pairs encode as one UTF-8 character.
  let chars = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      chars += text[i];
      continue;
    }
    const kind = text[i + 1];
    if (kind === undefined) throw new FramingError(`${label} ends with a lone backslash; write \\\\ for a backslash`);
    if (Object.hasOwn(SIMPLE_ESCAPES, kind)) {
      chars += SIMPLE_ESCAPES[kind];
      i += 1;
    } else if (kind === 'x') {
      // \xHH is one raw byte, not the UTF-8 encoding of U+00HH: that is how binary delimiters are typed.
      parts.push(Buffer.from(chars, 'utf8'), Buffer.of(hexDigits(text, i + 2, 2, label)));
      chars = '';
      i += 3;
    } else if (kind === 'u') {
      chars += String.fromCharCode(hexDigits(text, i + 2, 4, label));
      i += 5;
    } else {
      throw new FramingError(`${label} has an unknown escape \\${kind}; ${ESCAPE_HELP}`);
    }
  }
  parts.push(Buffer.from(chars, 'utf8'));
  return Buffer.concat(parts);
}

function hexDigits(text: string, at: number, count: number, label: string): number {
  const digits = text.slice(at, at + count);
  if (digits.length !== count || !/^[0-9a-fA-F]+$/.test(digits)) {
    const escape = `\\${text[at - 1]}${digits}`;
    throw new FramingError(`${label} has ${escape}, which needs exactly ${count} hex digits; ${ESCAPE_HELP}`);
  }
  return parseInt(digits, 16);
}

function readHex(text: string, label: string): Buffer {
  const bytes: Buffer[] = [];
  for (const token of text.split(/[\s,:;-]+/)) {
    if (token === '') continue;
    const digits = /^0x/i.test(token) ? token.slice(2) : token;
    if (!/^[0-9a-fA-F]+$/.test(digits)) {
      throw new FramingError(`${label} ${JSON.stringify(text)} is not hex: ${JSON.stringify(token)} is not a hex number; write bytes like 0d 0a or 0x02`);
    }
    if (digits.length % 2 !== 0) {
      throw new FramingError(`${label} ${JSON.stringify(text)} has an odd number of hex digits in ${JSON.stringify(token)}; write each byte as two digits, e.g. 02 or 0d0a`);
    }
    bytes.push(Buffer.from(digits, 'hex'));
  }
  return Buffer.concat(bytes);
}
