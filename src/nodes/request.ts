// The request node set: tcp request and udp request (ask a device, wait for its answer).
import type { NodeAPI } from './shared/red';
import { tcpRequestNode } from './tcp-request';
import { udpRequestNode } from './udp-request';

export = function register(RED: NodeAPI): void {
  RED.nodes.registerType('netcast-tcp-request', tcpRequestNode(RED));
  RED.nodes.registerType('netcast-udp-request', udpRequestNode(RED));
};
