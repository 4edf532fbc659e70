// Finding the local interface a membership or a multicast send should use. The table is read
// again on every attempt: interfaces come and go (a USB adapter, a VLAN brought up after boot).
import os from 'node:os';
import { isIP } from 'node:net';
import type { IpFamily } from '../udp/datagram';

export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;
export type InterfaceLister = () => InterfaceTable;

export const systemInterfaces: InterfaceLister = () => os.networkInterfaces();

/** What the user picked: every interface, one by name (eth0), or the one owning an address. */
export type InterfaceChoice = { kind: 'all' } | { kind: 'name'; name: string } | { kind: 'address'; address: string };

/**
 * One interface as the socket calls want it: IPv4 memberships and IP_MULTICAST_IF take the
 * interface's address, IPv6 ones take "::%name" (Node turns the scope into the interface index).
 */
export interface LocalInterface {
  name: string;
  socketAddress: string;
}

export function parseInterfaceChoice(text: string): InterfaceChoice {
  const value = text.trim();
  if (!value) return { kind: 'all' };
  if (isIP(value)) return { kind: 'address', address: value };
  return { kind: 'name', name: value };
}

export function describeChoice(choice: InterfaceChoice): string {
  if (choice.kind === 'all') return 'all interfaces';
  return choice.kind === 'name' ? choice.name : choice.address;
}

/** Node 18.0-18.3 reported the family as the number 4 or 6. */
function hasFamily(info: os.NetworkInterfaceInfo, family: IpFamily): boolean {
  const reported: unknown = info.family;
  return family === 'ipv4' ? reported === 'IPv4' || reported === 4 : reported === 'IPv6' || reported === 6;
}

function localInterface(name: string, info: os.NetworkInterfaceInfo, family: IpFamily): LocalInterface {
  return { name, socketAddress: family === 'ipv4' ? info.address : `::%${name}` };
}

function firstAddress(infos: os.NetworkInterfaceInfo[] | undefined, family: IpFamily): os.NetworkInterfaceInfo | undefined {
  return infos?.find((info) => hasFamily(info, family));
}

/** The chosen interfaces for `family`; empty while the interface (or its address) is not there. */
export function resolveInterfaces(choice: InterfaceChoice, family: IpFamily, table: InterfaceTable): LocalInterface[] {
  if (choice.kind === 'name') {
    const info = firstAddress(table[choice.name], family);
    return info ? [localInterface(choice.name, info, family)] : [];
  }
  const found: LocalInterface[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (choice.kind === 'address') {
      const owner = infos?.find((info) => info.address === choice.address && hasFamily(info, family));
      if (owner) return [localInterface(name, owner, family)];
      continue;
    }
    const info = firstAddress(infos, family);
    if (info) found.push(localInterface(name, info, family));
  }
  return found;
}

export interface InterfaceSummary {
  name: string;
  addresses: Array<{ address: string; family: 'IPv4' | 'IPv6'; internal: boolean }>;
}

/** For the editor's drop-down. */
export function summariseInterfaces(table: InterfaceTable): InterfaceSummary[] {
  return Object.entries(table).map(([name, infos]) => ({
    name,
    addresses: (infos ?? []).map((info) => ({
      address: info.address,
      family: hasFamily(info, 'ipv4') ? ('IPv4' as const) : ('IPv6' as const),
      internal: info.internal,
    })),
  }));
}
