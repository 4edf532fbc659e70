import { DelimiterDecoder, DelimiterEncoder } from './delimiter';
import { FixedDecoder, FixedEncoder } from './fixed';
import { IdleDecoder } from './idle';
import { LengthDecoder, LengthEncoder } from './length';
import { MarkersDecoder, MarkersEncoder } from './markers';
import { IdentityEncoder, RawDecoder } from './raw';
import { SlipDecoder, SlipEncoder } from './slip';
import type { Codec, FrameDecoder, FrameEncoder, FramingOptions } from './types';
import { validateFramingOptions } from './validate';

/** One codec per configuration; each connection gets its own decoder, the stateless encoder is shared. */
export function createCodec(given: FramingOptions): Codec {
  // A copy, so that changing the caller's object later cannot bypass validation.
  const options = { ...given };
  validateFramingOptions(options);
  switch (options.mode) {
    case 'raw':
      return codec(options, () => new RawDecoder(options), new IdentityEncoder());
    case 'delimiter':
      return codec(options, () => new DelimiterDecoder(options), new DelimiterEncoder(options));
    case 'fixed':
      return codec(options, () => new FixedDecoder(options), new FixedEncoder(options));
    case 'length':
      return codec(options, () => new LengthDecoder(options), new LengthEncoder(options));
    case 'markers':
      return codec(options, () => new MarkersDecoder(options), new MarkersEncoder(options));
    case 'slip':
      return codec(options, () => new SlipDecoder(options), new SlipEncoder());
    case 'idle':
      return codec(options, () => new IdleDecoder(options), new IdentityEncoder());
  }
}

function codec(options: FramingOptions, createDecoder: () => FrameDecoder, encoder: FrameEncoder): Codec {
  return { mode: options.mode, createDecoder, encoder };
}
