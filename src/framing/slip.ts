import { ChunkList } from './chunk-list';
import { FramingError, tooLongMessage } from './errors';
import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

// RFC 1055
const END = 0xc0;
const ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

/**
 * SLIP: frames end at END; END and ESC inside a frame travel as ESC ESC_END and ESC ESC_ESC.
 * A frame without escapes that lies in one chunk is returned as a view of the chunk.
 */
export class SlipDecoder implements FrameDecoder {
  readonly idleMs = 0;
  private readonly maxFrame: number;
  /** Decoded bytes of the frame being received. */
  private readonly pending = new ChunkList();
  /** The last chunk ended with ESC: the byte it escapes starts the next chunk. */
  private escaped = false;
  /** Next ESC in the chunk being pushed, or -1: kept so that each frame does not rescan the chunk. */
  private nextEsc = -1;

  constructor(options: OptionsFor<'slip'>) {
    this.maxFrame = options.maxFrame;
  }

  get pendingBytes(): number {
    return this.pending.length + (this.escaped ? 1 : 0);
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let from = 0;
    if (this.escaped && chunk.length > 0) {
      this.escaped = false;
      this.append(Buffer.of(this.unescape(chunk[0], frames)), frames);
      from = 1;
    }
    this.nextEsc = chunk.indexOf(ESC, from);
    for (let end = chunk.indexOf(END, from); end !== -1; end = chunk.indexOf(END, from)) {
      const tail = this.decode(chunk, from, end, frames);
      if (this.escaped) throw this.fail(invalidEscape(END), frames);
      this.endFrame(tail, frames);
      from = end + 1;
    }
    if (from < chunk.length) this.append(this.decode(chunk, from, chunk.length, frames), frames);
    return frames;
  }

  /** A frame is only complete at its END byte. */
  flush(): Buffer[] {
    this.reset();
    return [];
  }

  reset(): void {
    this.pending.clear();
    this.escaped = false;
  }

  /** Unescapes chunk[from, to); a view when there is nothing to unescape. */
  private decode(chunk: Buffer, from: number, to: number, frames: Buffer[]): Buffer {
    let esc = this.nextEsc;
    if (esc === -1 || esc >= to) return chunk.subarray(from, to);
    const out = Buffer.allocUnsafe(to - from);
    let written = 0;
    let pos = from;
    while (esc !== -1 && esc < to) {
      written += chunk.copy(out, written, pos, esc);
      if (esc + 1 === to) {
        this.escaped = true;
        pos = to;
        esc = -1;
        break;
      }
      out[written++] = this.unescape(chunk[esc + 1], frames);
      pos = esc + 2;
      esc = chunk.indexOf(ESC, pos);
    }
    this.nextEsc = esc;
    written += chunk.copy(out, written, pos, to);
    return out.subarray(0, written);
  }

  private unescape(byte: number, frames: Buffer[]): number {
    if (byte === ESC_END) return END;
    if (byte === ESC_ESC) return ESC;
    throw this.fail(invalidEscape(byte), frames);
  }

  private append(decoded: Buffer, frames: Buffer[]): void {
    if (this.pending.length + decoded.length > this.maxFrame) throw this.fail(tooLongMessage(this.maxFrame, 'check that the peer sends SLIP'), frames);
    this.pending.push(decoded);
  }

  /** END END carries no frame: senders put END first to flush line noise. */
  private endFrame(tail: Buffer, frames: Buffer[]): void {
    if (this.pending.length === 0) {
      if (tail.length > this.maxFrame) throw this.fail(tooLongMessage(this.maxFrame, 'check that the peer sends SLIP'), frames);
      if (tail.length > 0) frames.push(tail);
      return;
    }
    this.append(tail, frames);
    frames.push(this.pending.take(this.pending.length));
  }

  private fail(message: string, frames: Buffer[]): FramingError {
    this.reset();
    return new FramingError(message, frames);
  }
}

function invalidEscape(byte: number): string {
  return `invalid SLIP escape: 0xdb followed by 0x${byte.toString(16).padStart(2, '0')}, where only 0xdc or 0xdd may follow; check that the peer sends SLIP (RFC 1055)`;
}

export class SlipEncoder implements FrameEncoder {
  encode(payload: Buffer): Buffer {
    const specials = count(payload, END) + count(payload, ESC);
    const frame = Buffer.allocUnsafe(payload.length + specials + 2);
    frame[0] = END;
    if (specials === 0) {
      payload.copy(frame, 1);
    } else {
      let at = 1;
      for (const byte of payload) {
        if (byte === END) {
          frame[at++] = ESC;
          frame[at++] = ESC_END;
        } else if (byte === ESC) {
          frame[at++] = ESC;
          frame[at++] = ESC_ESC;
        } else {
          frame[at++] = byte;
        }
      }
    }
    frame[frame.length - 1] = END;
    return frame;
  }
}

function count(data: Buffer, byte: number): number {
  let n = 0;
  for (let at = data.indexOf(byte); at !== -1; at = data.indexOf(byte, at + 1)) n++;
  return n;
}
