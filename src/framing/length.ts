import { ChunkList } from './chunk-list';
import { FramingError } from './errors';
import type { FrameDecoder, FrameEncoder, OptionsFor } from './types';

type LengthOptions = OptionsFor<'length'>;

const TWO_POW_32 = 0x100000000;
/** The high word of an 8-byte value may use 21 bits before the value leaves Number's exact range. */
const MAX_SAFE_HIGH_WORD = 0x1fffff;
const FIELD_SETTINGS = 'check Length field offset, Length field size, byte order and Length adjustment';

/**
 * A header field gives the frame's length: Netty's LengthFieldBasedFrameDecoder, which fits
 * Modbus/TCP and most PLC protocols. frame length = field value + adjust + offset + size; the
 * first `strip` bytes of each frame are dropped.
 */
export class LengthDecoder implements FrameDecoder {
  readonly idleMs = 0;
  private readonly options: LengthOptions;
  private readonly headerEnd: number;
  private readonly pending = new ChunkList();
  /** Length of the frame being received once its header has been read, -1 before. */
  private frameLength = -1;

  constructor(options: LengthOptions) {
    this.options = options;
    this.headerEnd = options.offset + options.size;
  }

  get pendingBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameLength === -1) {
        if (this.pending.length < this.headerEnd) break;
        this.frameLength = this.readFrameLength(frames);
      }
      if (this.pending.length < this.frameLength) break;
      const frame = this.pending.take(this.frameLength);
      frames.push(this.options.strip === 0 ? frame : frame.subarray(this.options.strip));
      this.frameLength = -1;
    }
    return frames;
  }

  /** A frame cut short by the end of the stream cannot be trusted. */
  flush(): Buffer[] {
    this.reset();
    return [];
  }

  reset(): void {
    this.pending.clear();
    this.frameLength = -1;
  }

  /** Validates before buffering, so a corrupt header cannot make the decoder wait for gigabytes. */
  private readFrameLength(frames: Buffer[]): number {
    const { offset, adjust, strip, maxFrame } = this.options;
    const value = this.readField(this.pending.peek(offset, this.headerEnd), frames);
    const frameLength = value + adjust + this.headerEnd;
    if (frameLength < this.headerEnd) {
      throw this.fail(
        `length field gives a ${frameLength}-byte frame, shorter than the ${this.headerEnd} bytes up to the end of the field; ${FIELD_SETTINGS}`,
        frames,
      );
    }
    if (frameLength > maxFrame) {
      throw this.fail(
        `length field gives a ${frameLength}-byte frame, longer than the ${maxFrame}-byte limit (maxFrame); raise Max frame size or ${FIELD_SETTINGS}`,
        frames,
      );
    }
    if (frameLength < strip) {
      throw this.fail(`length field gives a ${frameLength}-byte frame, shorter than the ${strip} Bytes to strip; lower Bytes to strip or ${FIELD_SETTINGS}`, frames);
    }
    return frameLength;
  }

  private readField(field: Buffer, frames: Buffer[]): number {
    const be = this.options.endian === 'be';
    switch (this.options.size) {
      case 1:
        return field[0];
      case 2:
        return be ? field.readUInt16BE(0) : field.readUInt16LE(0);
      case 4:
        return be ? field.readUInt32BE(0) : field.readUInt32LE(0);
      case 8: {
        const high = be ? field.readUInt32BE(0) : field.readUInt32LE(4);
        const low = be ? field.readUInt32BE(4) : field.readUInt32LE(0);
        if (high > MAX_SAFE_HIGH_WORD) {
          const value = be ? field.readBigUInt64BE(0) : field.readBigUInt64LE(0);
          throw this.fail(`length field holds ${value}, more than any frame can be; ${FIELD_SETTINGS}`, frames);
        }
        return high * TWO_POW_32 + low;
      }
    }
  }

  private fail(message: string, frames: Buffer[]): FramingError {
    this.reset();
    return new FramingError(message, frames);
  }
}

/**
 * Builds `strip` zero bytes + payload and writes the length field into it. Inverts the decoder for
 * both usual setups: strip = offset + size (the encoder adds the header) and strip = 0 (the
 * payload carries its own header, e.g. a Modbus ADU, and only its length is filled in).
 */
export class LengthEncoder implements FrameEncoder {
  private readonly options: LengthOptions;
  private readonly headerEnd: number;
  private readonly maxValue: number;

  constructor(options: LengthOptions) {
    this.options = options;
    this.headerEnd = options.offset + options.size;
    this.maxValue = options.size === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * options.size) - 1;
  }

  encode(payload: Buffer): Buffer {
    const { strip, adjust, size } = this.options;
    const frameLength = strip + payload.length;
    if (frameLength < this.headerEnd) {
      throw new FramingError(
        `payload is ${payload.length} bytes, too short to hold the length field, which ends at byte ${this.headerEnd} of the frame; send the whole header or raise Bytes to strip`,
      );
    }
    const value = frameLength - this.headerEnd - adjust;
    if (value < 0) {
      throw new FramingError(`payload is ${payload.length} bytes, too short for Length adjustment ${adjust} (the length field would be ${value}); check Length adjustment`);
    }
    if (value > this.maxValue) {
      throw new FramingError(`payload is ${payload.length} bytes, too long for a ${size}-byte length field (${value} > ${this.maxValue}); send less or use a larger Length field size`);
    }
    const frame = Buffer.allocUnsafe(frameLength);
    frame.fill(0, 0, strip);
    payload.copy(frame, strip);
    this.writeField(frame, value);
    return frame;
  }

  private writeField(frame: Buffer, value: number): void {
    const { offset, endian } = this.options;
    const be = endian === 'be';
    switch (this.options.size) {
      case 1:
        frame[offset] = value;
        return;
      case 2:
        if (be) frame.writeUInt16BE(value, offset);
        else frame.writeUInt16LE(value, offset);
        return;
      case 4:
        if (be) frame.writeUInt32BE(value, offset);
        else frame.writeUInt32LE(value, offset);
        return;
      case 8: {
        const high = Math.floor(value / TWO_POW_32);
        const low = value % TWO_POW_32;
        if (be) {
          frame.writeUInt32BE(high, offset);
          frame.writeUInt32BE(low, offset + 4);
        } else {
          frame.writeUInt32LE(low, offset);
          frame.writeUInt32LE(high, offset + 4);
        }
        return;
      }
    }
  }
}
