import { ChunkList } from './chunk-list';
import { FramingError } from './errors';
import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

/** Every frame is exactly `length` bytes. */
export class FixedDecoder implements FrameDecoder {
  readonly idleMs = 0;
  private readonly length: number;
  private readonly pending = new ChunkList();

  constructor(options: OptionsFor<'fixed'>) {
    this.length = options.length;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let from = 0;
    if (this.pending.length > 0) {
      const missing = this.length - this.pending.length;
      if (chunk.length < missing) {
        this.pending.push(chunk);
        return frames;
      }
      this.pending.push(chunk.subarray(0, missing));
      frames.push(this.pending.take(this.length));
      from = missing;
    }
    for (; chunk.length - from >= this.length; from += this.length) {
      frames.push(chunk.subarray(from, from + this.length));
    }
    if (from < chunk.length) this.pending.push(chunk.subarray(from));
    return frames;
  }

  /** A partial record at end of stream has no meaning on its own. */
  flush(): Buffer[] {
    this.pending.clear();
    return [];
  }

  reset(): void {
    this.pending.clear();
  }
}

export class FixedEncoder implements FrameEncoder {
  private readonly length: number;

  constructor(options: OptionsFor<'fixed'>) {
    this.length = options.length;
  }

  encode(payload: Buffer): Buffer {
    if (payload.length !== this.length) {
      throw new FramingError(
        `payload is ${payload.length} bytes but Fixed length is ${this.length} bytes; pad or trim the payload, or change Fixed length`,
      );
    }
    return payload;
  }
}
