export type FramingMode = 'raw' | 'delimiter' | 'fixed' | 'length' | 'markers' | 'slip' | 'idle';

export const FRAMING_MODES: readonly FramingMode[] = ['raw', 'delimiter', 'fixed', 'length', 'markers', 'slip', 'idle'];

export const DEFAULT_MAX_FRAME = 1048576;

/** A larger limit would let one bad length field make the process allocate most of its heap. */
export const MAX_FRAME_LIMIT = 256 * 1024 * 1024;

export type FramingOptions =
  | { mode: 'raw'; maxFrame: number }
  | { mode: 'delimiter'; delimiter: Buffer; keepDelimiter: boolean; maxFrame: number }
  | { mode: 'fixed'; length: number; maxFrame: number }
  | { mode: 'length'; offset: number; size: 1 | 2 | 4 | 8; endian: 'be' | 'le'; adjust: number; strip: number; maxFrame: number }
  | { mode: 'markers'; start: Buffer; end: Buffer; keepMarkers: boolean; maxFrame: number }
  | { mode: 'slip'; maxFrame: number }
  | { mode: 'idle'; idleMs: number; maxFrame: number };

export type OptionsFor<M extends FramingMode> = Extract<FramingOptions, { mode: M }>;

/**
 * Frames returned by push may be views of the pushed chunk: the caller must not reuse a chunk's
 * memory after pushing it (socket chunks are never reused, so this costs nothing).
 */
export interface FrameDecoder {
  /** Complete frames found so far, in order. Throws FramingError. */
  push(chunk: Buffer): Buffer[];
  /** At end of stream, and after idleMs of silence in idle mode. Leaves nothing pending. */
  flush(): Buffer[];
  /** Bytes held waiting for the rest of a frame. */
  readonly pendingBytes: number;
  /** Non-zero only in idle mode: the owner calls flush() after this much silence while bytes are pending. */
  readonly idleMs: number;
  /** Forgets partial data, so the decoder can be used again after an error. */
  reset(): void;
}

export interface FrameEncoder {
  /** Throws FramingError when the payload cannot be framed. */
  encode(payload: Buffer): Buffer;
}

export interface Codec {
  readonly mode: FramingMode;
  createDecoder(): FrameDecoder;
  readonly encoder: FrameEncoder;
}
