export { FramingError } from './errors';
export { DEFAULT_MAX_FRAME, FRAMING_MODES, MAX_FRAME_LIMIT } from './types';
export type { Codec, FrameDecoder, FrameEncoder, FramingMode, FramingOptions } from './types';
export { createCodec } from './codec';
export { parseByteSequence } from './byte-sequence';
export { parseFramingOptions } from './config';
