// Checks on multicast group and source addresses, so a typo is reported at deploy with a sentence
// instead of surfacing later as EINVAL from the kernel.
import { isIP } from 'node:net';
import type { IpFamily } from '../udp/datagram';

export class GroupAddressError extends Error {
  readonly code = 'ERR_NETCAST_GROUP';
}

/** One group this endpoint joins; `source` is set for source-specific multicast (SSM). */
export interface GroupSpec {
  group: string;
  source: string;
  family: IpFamily;
}

function familyOf(address: string): IpFamily | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** The first 16-bit group of an IPv6 address, 0 when the address starts with "::". */
function firstHextet(address: string): number {
  const head = address.split(':')[0];
  return head === '' ? 0 : parseInt(head, 16);
}

function firstOctet(address: string): number {
  return Number(address.split('.')[0]);
}

export function isMulticastAddress(address: string): boolean {
  const family = familyOf(address);
  if (family === 'ipv4') return firstOctet(address) >= 224 && firstOctet(address) <= 239;
  if (family === 'ipv6') return firstHextet(address) >> 8 === 0xff;
  return false;
}

/** 232.0.0.0/8 (RFC 4607) and ff3x::/32: the ranges routers treat as source-specific. */
export function isSourceSpecificGroup(address: string): boolean {
  const family = familyOf(address);
  if (family === 'ipv4') return firstOctet(address) === 232;
  if (family === 'ipv6') return firstHextet(address) >> 4 === 0xff3;
  return false;
}

/**
 * IPv6 groups of interface-local (x1) and link-local (x2) scope only make sense with an interface
 * attached; a socket cannot bind to them without one.
 */
export function isLinkScopedGroup(address: string): boolean {
  if (familyOf(address) !== 'ipv6') return false;
  const scope = firstHextet(address) & 0xf;
  return scope === 1 || scope === 2;
}

// Errors name the bad text; a pasted megabyte should not come back in them.
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);
}

export function parseGroupSpec(groupText: string, sourceText = ''): GroupSpec {
  const group = groupText.trim();
  const source = sourceText.trim();
  const family = familyOf(group);
  if (!family) {
    throw new GroupAddressError(`group ${quoted(group)} is not an IP address; enter a multicast address such as 239.1.2.3 or ff15::1`);
  }
  if (!isMulticastAddress(group)) {
    throw new GroupAddressError(
      `${group} is not a multicast address; use one in ${family === 'ipv4' ? '224.0.0.0/4 (224.x.x.x to 239.x.x.x)' : 'ff00::/8'}`,
    );
  }
  if (!source) return { group, source: '', family };
  if (!isSourceSpecificGroup(group)) {
    throw new GroupAddressError(
      `a source is given for ${group}, which is not a source-specific group; use a group in ${family === 'ipv4' ? '232.0.0.0/8' : 'ff3x::/32'} or clear the source`,
    );
  }
  if (familyOf(source) !== family || isMulticastAddress(source)) {
    throw new GroupAddressError(
      `source ${quoted(source)} for group ${group} must be the ${family === 'ipv4' ? 'IPv4' : 'IPv6'} unicast address of the sending device`,
    );
  }
  return { group, source, family };
}

export function describeGroup(spec: GroupSpec): string {
  return spec.source ? `${spec.source}→${spec.group}` : spec.group;
}
