import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

/** Each chunk as it came off the wire, cut only where it exceeds maxFrame. */
export class RawDecoder implements FrameDecoder {
  readonly pendingBytes = 0;
  readonly idleMs = 0;
  private readonly maxFrame: number;

  constructor(options: OptionsFor<'raw'>) {
    this.maxFrame = options.maxFrame;
  }

  push(chunk: Buffer): Buffer[] {
    if (chunk.length <= this.maxFrame) return chunk.length === 0 ? [] : [chunk];
    const frames: Buffer[] = [];
    for (let from = 0; from < chunk.length; from += this.maxFrame) {
      frames.push(chunk.subarray(from, from + this.maxFrame));
    }
    return frames;
  }

  flush(): Buffer[] {
    return [];
  }

  reset(): void {}
}

export class IdentityEncoder implements FrameEncoder {
  encode(payload: Buffer): Buffer {
    return payload;
  }
}
