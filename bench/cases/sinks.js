'use strict';
// What the flows under test feed: the counting sink alone (bench-sink), or a little work first, as
// a real flow does (a change node sets msg.topic, a function node reads the payload), then the
// counting sink. And the runtime ceiling for either: stock Node-RED where bench-source emits
// ready-made 64 B messages, 64 per event-loop turn, without a _msgid (Node-RED generates one per
// message, as it does for any node that sends a new message), into the same sink; no network.
const SIZE = 64;

const countingSink = { id: 'sink', type: 'bench-sink', wires: [] };
const work = [
  { id: 'work-change', type: 'change', name: '', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'bench', tot: 'str' }], action: '', property: '', from: '', to: '', reg: false, wires: [['work-fn']] },
  { id: 'work-fn', type: 'function', name: '', func: 'msg.length = msg.payload.length;\nreturn msg;', outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires: [['sink']] },
];

/** The sink's nodes and the id an in node wires to: kind 'count' (bench-sink alone) or 'work'. */
function sinkOf(kind = 'count') {
  return kind === 'work' ? { entry: 'work-change', nodes: [...work, countingSink] } : { entry: 'sink', nodes: [countingSink] };
}

/** The ceiling flow for a sink kind. */
function ceilingFlow(kind = 'count') {
  const { entry, nodes } = sinkOf(kind);
  return () => [{ id: 'src', type: 'bench-source', perTurn: 64, size: SIZE, wires: [[entry]] }, ...nodes];
}

module.exports = { sinkOf, ceilingFlow, countingSink };
