import { ChunkList, findStraddling } from './chunk-list';
import { FramingError, tooLongMessage } from './errors';
import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

/**
 * Frames end at a byte sequence (CRLF, NUL, ETX...). Each byte is searched once: pending bytes
 * are known to hold no whole delimiter, so a new chunk is searched alone, plus the few bytes
 * around the boundary where a delimiter may be split.
 */
export class DelimiterDecoder implements FrameDecoder {
  readonly idleMs = 0;
  private readonly delimiter: Buffer;
  /** A one-byte delimiter is searched as a number, which Buffer#indexOf serves with memchr. */
  private readonly needle: number | Buffer;
  private readonly keep: boolean;
  private readonly maxFrame: number;
  private readonly pending = new ChunkList();

  constructor(options: OptionsFor<'delimiter'>) {
    this.delimiter = options.delimiter;
    this.needle = options.delimiter.length === 1 ? options.delimiter[0] : options.delimiter;
    this.keep = options.keepDelimiter;
    this.maxFrame = options.maxFrame;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let from = this.endStraddlingFrame(chunk, frames);
    for (let at = chunk.indexOf(this.needle, from); at !== -1; at = chunk.indexOf(this.needle, from)) {
      if (this.pending.length + at - from > this.maxFrame) throw this.fail(frames);
      frames.push(this.frameEndingAt(chunk, from, at));
      from = at + this.delimiter.length;
    }
    if (from < chunk.length) this.pending.push(chunk.subarray(from));
    // Up to delimiter.length - 1 of the pending bytes may be the start of a delimiter.
    if (this.pending.length >= this.maxFrame + this.delimiter.length) throw this.fail(frames);
    return frames;
  }

  /** Text devices often omit the final newline, so what is left is a frame too. */
  flush(): Buffer[] {
    return this.pending.length === 0 ? [] : [this.pending.take(this.pending.length)];
  }

  reset(): void {
    this.pending.clear();
  }

  /** Ends the pending frame if a delimiter begins in it and finishes in `chunk`; returns where to go on. */
  private endStraddlingFrame(chunk: Buffer, frames: Buffer[]): number {
    const end = findStraddling(this.pending, this.pending.length, chunk, 0, this.delimiter);
    if (end === -1) return 0;
    const contentLength = this.pending.length - (this.delimiter.length - end);
    if (contentLength > this.maxFrame) throw this.fail(frames);
    if (this.keep) {
      this.pending.push(chunk.subarray(0, end));
      frames.push(this.pending.take(this.pending.length));
    } else {
      frames.push(this.pending.take(contentLength));
      this.pending.clear();
    }
    return end;
  }

  private frameEndingAt(chunk: Buffer, from: number, at: number): Buffer {
    const stop = this.keep ? at + this.delimiter.length : at;
    if (this.pending.length === 0) return chunk.subarray(from, stop);
    this.pending.push(chunk.subarray(from, stop));
    return this.pending.take(this.pending.length);
  }

  private fail(frames: Buffer[]): FramingError {
    this.reset();
    return new FramingError(tooLongMessage(this.maxFrame, 'check the delimiter setting'), frames);
  }
}

export class DelimiterEncoder implements FrameEncoder {
  private readonly delimiter: Buffer;

  constructor(options: OptionsFor<'delimiter'>) {
    this.delimiter = options.delimiter;
  }

  encode(payload: Buffer): Buffer {
    if (endsWith(payload, this.delimiter)) return payload;
    return Buffer.concat([payload, this.delimiter], payload.length + this.delimiter.length);
  }
}

function endsWith(data: Buffer, suffix: Buffer): boolean {
  return data.length >= suffix.length && data.compare(suffix, 0, suffix.length, data.length - suffix.length) === 0;
}
