import { ChunkList } from './chunk-list';
import type { FrameDecoder, OptionsFor } from './types';

/**
 * A frame is whatever arrives before a pause of idleMs. The owner keeps the clock: this class only
 * accumulates, and its flush() ends the frame.
 */
export class IdleDecoder implements FrameDecoder {
  readonly idleMs: number;
  private readonly maxFrame: number;
  private readonly pending = new ChunkList();

  constructor(options: OptionsFor<'idle'>) {
    this.idleMs = options.idleMs;
    this.maxFrame = options.maxFrame;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    // A device that never pauses would otherwise grow the buffer without bound.
    const frames: Buffer[] = [];
    while (this.pending.length > this.maxFrame) frames.push(this.pending.take(this.maxFrame));
    return frames;
  }

  flush(): Buffer[] {
    return this.pending.length === 0 ? [] : [this.pending.take(this.pending.length)];
  }

  reset(): void {
    this.pending.clear();
  }
}
