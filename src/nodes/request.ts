// The request node set: tcp request and udp request (ask a device, wait for its answer).
import { MessageIds } from './shared/message-ids';
import type { NodeAPI } from './shared/red';
import { tcpRequestNode } from './tcp-request';
import { udpRequestNode } from './udp-request';

export = function register(RED: NodeAPI): void {
  // _msgid of the messages these nodes create (stray frames, one message per discovered answer)
  const ids = new MessageIds();
  RED.nodes.registerType('netcast-tcp-request', tcpRequestNode(RED, ids));
  RED.nodes.registerType('netcast-udp-request', udpRequestNode(RED, ids));
};
