/**
 * Raised for bad framing settings and for bytes that break the configured framing. The message is
 * one plain sentence naming the fix, because it is shown to the user as is.
 */
export class FramingError extends Error {
  readonly code = 'ERR_NETCAST_FRAMING';
  /**
   * Frames completed by the same push before the bad bytes. A chunk that ends in garbage may
   * start with good frames; the owner can still deliver them.
   */
  readonly frames: Buffer[];

  constructor(message: string, frames: Buffer[] = []) {
    super(message);
    this.name = 'FramingError';
    this.frames = frames;
  }
}

/** The sentence every mode uses when a frame outgrows maxFrame; `check` names the likely culprit. */
export function tooLongMessage(maxFrame: number, check: string): string {
  return `frame is longer than the ${maxFrame}-byte limit (maxFrame); raise Max frame size or ${check}`;
}
