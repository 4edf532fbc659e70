import { ChunkList, findStraddling } from './chunk-list';
import { FramingError, tooLongMessage } from './errors';
import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

/**
 * Frames run from a start marker to an end marker (STX ... ETX). Bytes between frames are line
 * noise and are dropped. A start marker inside a frame is data: only the end marker closes it.
 */
export class MarkersDecoder implements FrameDecoder {
  readonly idleMs = 0;
  private readonly start: Buffer;
  private readonly end: Buffer;
  private readonly keep: boolean;
  private readonly maxFrame: number;
  /** With keepMarkers, pending begins with a copy of the start marker that is not frame content. */
  private readonly prefix: number;
  /**
   * Outside a frame: the last start.length - 1 bytes seen, which may begin a start marker.
   * Inside a frame: the frame so far, from after the start marker (from the marker with keepMarkers).
   */
  private readonly pending = new ChunkList();
  private inFrame = false;
  /** Where the open frame's start marker lies in the chunk being pushed; -1 when it came earlier. */
  private frameStart = -1;

  constructor(options: OptionsFor<'markers'>) {
    this.start = options.start;
    this.end = options.end;
    this.keep = options.keepMarkers;
    this.maxFrame = options.maxFrame;
    this.prefix = options.keepMarkers ? options.start.length : 0;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let from = 0;
    while (from < chunk.length) {
      if (!this.inFrame) from = this.findStart(chunk, from);
      // Also when the start marker ends the chunk, so that keepMarkers holds on to it.
      if (this.inFrame) from = this.readBody(chunk, from, frames);
    }
    return frames;
  }

  /** A frame without its end marker is incomplete. */
  flush(): Buffer[] {
    this.reset();
    return [];
  }

  reset(): void {
    this.pending.clear();
    this.inFrame = false;
    this.frameStart = -1;
  }

  private findStart(chunk: Buffer, from: number): number {
    const straddle = findStraddling(this.pending, this.pending.length, chunk, from, this.start);
    if (straddle !== -1) {
      this.openFrame(-1);
      return straddle;
    }
    const at = chunk.indexOf(this.start, from);
    if (at !== -1) {
      this.openFrame(at);
      return at + this.start.length;
    }
    this.holdPossibleStart(chunk, from);
    return chunk.length;
  }

  private openFrame(frameStart: number): void {
    this.pending.clear();
    this.inFrame = true;
    this.frameStart = frameStart;
    if (frameStart === -1 && this.keep) this.pending.push(this.start);
  }

  /** Copies the few bytes kept, so that they do not pin a whole socket buffer in memory. */
  private holdPossibleStart(chunk: Buffer, from: number): void {
    const hold = this.start.length - 1;
    if (hold === 0) return;
    if (chunk.length - from >= hold) {
      this.pending.clear();
      this.pending.push(Buffer.from(chunk.subarray(chunk.length - hold)));
      return;
    }
    this.pending.push(Buffer.from(chunk.subarray(from)));
    if (this.pending.length > hold) this.pending.skip(this.pending.length - hold);
  }

  private readBody(chunk: Buffer, from: number, frames: Buffer[]): number {
    const bodyStart = this.frameStart !== -1 && this.keep ? this.frameStart : from;
    this.frameStart = -1;
    // With keepMarkers the start marker may still be in the chunk, and then nothing is pending.
    const content = this.pending.length === 0 ? 0 : this.pending.length - this.prefix;
    const straddle = findStraddling(this.pending, content, chunk, from, this.end);
    if (straddle !== -1) {
      frames.push(this.closeStraddling(chunk, from, straddle, frames));
      return straddle;
    }
    const at = chunk.indexOf(this.end, from);
    if (at === -1) {
      this.pending.push(chunk.subarray(bodyStart));
      // Up to end.length - 1 of the held bytes may be the start of the end marker.
      if (this.pending.length - this.prefix >= this.maxFrame + this.end.length) throw this.fail(frames);
      return chunk.length;
    }
    if (content + at - from > this.maxFrame) throw this.fail(frames);
    const stop = this.keep ? at + this.end.length : at;
    if (this.pending.length === 0) {
      frames.push(chunk.subarray(bodyStart, stop));
    } else {
      this.pending.push(chunk.subarray(bodyStart, stop));
      frames.push(this.pending.take(this.pending.length));
    }
    this.inFrame = false;
    return at + this.end.length;
  }

  /** The end marker began in the pending bytes and finishes at `straddle` in this chunk. */
  private closeStraddling(chunk: Buffer, from: number, straddle: number, frames: Buffer[]): Buffer {
    const content = this.pending.length - this.prefix - (this.end.length - (straddle - from));
    if (content > this.maxFrame) throw this.fail(frames);
    this.inFrame = false;
    if (this.keep) {
      this.pending.push(chunk.subarray(from, straddle));
      return this.pending.take(this.pending.length);
    }
    const frame = this.pending.take(content);
    this.pending.clear();
    return frame;
  }

  private fail(frames: Buffer[]): FramingError {
    this.reset();
    return new FramingError(tooLongMessage(this.maxFrame, 'check the end marker setting'), frames);
  }
}

export class MarkersEncoder implements FrameEncoder {
  private readonly start: Buffer;
  private readonly end: Buffer;

  constructor(options: OptionsFor<'markers'>) {
    this.start = options.start;
    this.end = options.end;
  }

  encode(payload: Buffer): Buffer {
    const frame = Buffer.concat([this.start, payload, this.end]);
    const payloadEnd = this.start.length + payload.length;
    // Searched as the decoder will search it, which also catches a payload ending in part of the marker.
    const at = frame.indexOf(this.end, this.start.length);
    if (at < payloadEnd) {
      const what = at + this.end.length <= payloadEnd ? 'contains the end marker' : 'ends with the first bytes of the end marker';
      throw new FramingError(
        `payload ${what} (${this.end.toString('hex')}), so the receiver would end the frame early; remove or escape it, or use SLIP or length framing`,
      );
    }
    return frame;
  }
}
