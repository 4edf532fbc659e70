import { randomBytes } from 'node:crypto';
import { NetcastError } from '../../errors';

// Two hex digits for every byte value, so an id costs one table read and one concatenation.
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');

/**
 * msg._msgid for the messages an in node creates, so node.send does not call Node-RED's
 * RED.util.generateId for each one (8 calls of Math.random and a join: a fifth of the runtime's
 * time per message). Same shape as generateId: 16 lowercase hex digits. The ids are a 64-bit
 * counter that starts at a random value (crypto.randomBytes): a generator never repeats one (it
 * would take 2^64 messages), and two generators (another node set, another start of Node-RED)
 * overlap only if their random starts fall within the messages they emit of each other, as
 * unlikely as two of Node-RED's own random ids colliding. One generator per register(RED) call,
 * owned by that runtime's node set, never module-global.
 */
export class MessageIds {
  private high: number;
  private low: number;
  /** The first 14 digits of the next 256 ids. */
  private head = '';
  /** The last byte of the next id; 256 when the head must move on. */
  private byte: number;

  constructor(seed: Uint8Array = randomBytes(8)) {
    if (seed.length < 8) throw new NetcastError('MessageIds needs an 8-byte seed', 'ERR_NETCAST_INTERNAL');
    const view = Buffer.from(seed.buffer, seed.byteOffset, 8);
    this.high = view.readUInt32BE(0);
    const low = view.readUInt32BE(4);
    this.low = (low & 0xffffff00) >>> 0;
    this.byte = low & 0xff;
    this.head = this.format();
  }

  next(): string {
    if (this.byte === 256) this.advance();
    return this.head + HEX2[this.byte++];
  }

  private advance(): void {
    this.byte = 0;
    this.low = (this.low + 256) >>> 0;
    if (this.low === 0) this.high = (this.high + 1) >>> 0;
    this.head = this.format();
  }

  private format(): string {
    return hex(this.high, 8) + hex(this.low >>> 8, 6);
  }
}
