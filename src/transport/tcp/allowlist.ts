import { BlockList, isIP } from 'node:net';
import { NetcastError } from '../../errors';

// An error names the bad entry; a pasted megabyte of text should not come back in it.
const MAX_SHOWN = 60;

function shown(entry: string): string {
  return JSON.stringify(entry.length > MAX_SHOWN ? `${entry.slice(0, MAX_SHOWN - 1)}…` : entry);
}

/** Client addresses and CIDR ranges a server accepts; an empty list accepts everyone. */
export class AddressAllowlist {
  private readonly list = new BlockList();
  readonly size: number;

  /** @param entries addresses ("10.0.0.5", "::1") or ranges ("10.0.0.0/24", "fd00::/8") */
  constructor(entries: readonly string[]) {
    for (const entry of entries) this.add(entry);
    this.size = entries.length;
  }

  static parse(text: string): AddressAllowlist {
    return new AddressAllowlist(text.split(/[\s,;]+/).filter((entry) => entry.length > 0));
  }

  allows(address: string): boolean {
    if (this.size === 0) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1] : address;
    const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return this.list.check(plain, family);
  }

  private add(entry: string): void {
    const [address, prefixText] = entry.split('/');
    const version = isIP(address);
    if (version === 0) throw new NetcastError(`${shown(entry)} in the allowed clients list is not an IP address or CIDR range; write e.g. 192.168.1.20 or 10.0.0.0/24`, 'ERR_NETCAST_CONFIG');
    const family = version === 6 ? 'ipv6' : 'ipv4';
    if (prefixText === undefined) {
      this.list.addAddress(address, family);
      return;
    }
    const prefix = Number(prefixText);
    const maxPrefix = version === 6 ? 128 : 32;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw new NetcastError(`${shown(entry)} in the allowed clients list has an invalid prefix length; use /0 to /${maxPrefix}`, 'ERR_NETCAST_CONFIG');
    }
    this.list.addSubnet(address, prefix, family);
  }
}
