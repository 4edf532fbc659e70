/** A short, safe rendering of a value for an error message: never the whole of a large payload. */
export function describeValue(value: unknown, max = 40): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (Buffer.isBuffer(value)) text = `<Buffer ${value.subarray(0, 16).toString('hex')}${value.length > 16 ? '…' : ''}>`;
  else if (typeof value === 'object' && value !== null) text = Array.isArray(value) ? 'an array' : 'an object';
  else text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
