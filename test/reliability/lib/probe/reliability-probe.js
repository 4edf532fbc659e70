'use strict';
// Test-only nodes and admin routes the reliability suite installs into the user dir of the
// Node-RED it drives (userDir/nodes/). Nothing here ships with the package.
//   reliability-gen      sends numbered messages when told to through the admin API
//   reliability-collect  counts (and keeps a summary of) what reaches it: data, Catch output
//   GET  /reliability/endpoint/:id      state, counters of a netcast config node's endpoint
//   POST /reliability/watch/:id         starts recording that endpoint's phase changes and closed connections' bytes
//   GET  /reliability/history/:id       the phase changes recorded
//   GET  /reliability/socket/:id        bytes a client endpoint handed to the kernel: closed connections, live one
//   GET  /reliability/process           memory and handle counts of the runtime
module.exports = function (RED) {
  const gens = new Map();
  const collectors = new Map();
  const histories = new Map();
  const ledgers = new Map();

  function summarise(msg) {
    const item = { t: Date.now() };
    if (msg.error) {
      const message = String(msg.error.message);
      item.error = { message: message.slice(0, 2000), length: message.length, code: msg.error.code, type: msg.error.source && msg.error.source.type, id: msg.error.source && msg.error.source.id };
    }
    const payload = msg.payload;
    if (Buffer.isBuffer(payload)) item.payload = payload.toString('utf8').slice(0, 200);
    else if (typeof payload === 'string') item.payload = payload.slice(0, 200);
    else if (payload !== undefined) {
      try {
        item.payload = String(JSON.stringify(payload)).slice(0, 200);
      } catch {
        item.payload = `(${typeof payload})`;
      }
    }
    if (msg.event) item.event = msg.event;
    if (msg._session) item.session = msg._session.id;
    if (msg.topic !== undefined) item.topic = String(msg.topic).slice(0, 100);
    return item;
  }

  function CollectNode(config) {
    RED.nodes.createNode(this, config);
    const record = { count: 0, bytes: 0, items: [], keep: Number(config.keep) || 0 };
    collectors.set(this.id, record);
    this.on('input', (msg, _send, done) => {
      record.count += 1;
      if (typeof msg.payload === 'string' || Buffer.isBuffer(msg.payload)) record.bytes += msg.payload.length;
      if (record.items.length < record.keep || msg.error) record.items.push(summarise(msg));
      done();
    });
    this.on('close', (_removed, done) => {
      if (collectors.get(this.id) === record) collectors.delete(this.id);
      done();
    });
  }

  function GenNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const state = { sent: 0, running: false, stopped: false };
    gens.set(node.id, { node, state, start });
    // sends `count` messages `${prefix}${seq}`, `perTurn` per event-loop turn, optionally `everyMs` apart
    function start({ count, prefix = 'm', perTurn = 50, everyMs = 0, size = 0 }) {
      state.running = true;
      const pad = size > 0 ? ' '.repeat(size) : '';
      let left = count;
      const tick = () => {
        if (state.stopped) return;
        const n = Math.min(perTurn, left);
        for (let i = 0; i < n; i += 1) {
          state.sent += 1;
          node.send({ payload: `${prefix}${state.sent}${pad}`, seq: state.sent });
        }
        left -= n;
        if (left <= 0) {
          state.running = false;
          return;
        }
        if (everyMs > 0) setTimeout(tick, everyMs);
        else setImmediate(tick);
      };
      tick();
    }
    node.on('close', (_removed, done) => {
      state.stopped = true;
      if (gens.get(node.id) && gens.get(node.id).state === state) gens.delete(node.id);
      done();
    });
  }

  RED.nodes.registerType('reliability-collect', CollectNode);
  RED.nodes.registerType('reliability-gen', GenNode);

  const endpointOf = (id) => {
    const config = RED.nodes.getNode(id);
    return config && config.owner ? config.owner.endpoint : undefined;
  };

  RED.httpAdmin.get('/reliability/endpoint/:id', (req, res) => {
    const endpoint = endpointOf(req.params.id);
    if (!endpoint) return res.status(404).json({ error: 'no endpoint' });
    res.json({ state: endpoint.state, counters: endpoint.counters, connected: endpoint.connected, sessions: endpoint.sessionCount, port: endpoint.port });
  });
  RED.httpAdmin.post('/reliability/watch/:id', (req, res) => {
    const endpoint = endpointOf(req.params.id);
    if (!endpoint) return res.status(404).json({ error: 'no endpoint' });
    const history = [];
    histories.set(req.params.id, history);
    let last = '';
    const ledger = { closedWritten: 0, closedConnections: 0 };
    ledgers.set(req.params.id, ledger);
    endpoint.on('close', (session) => {
      // after 'close', a socket's bytesWritten counts only what was handed to the kernel
      ledger.closedWritten += rawSocketOf(session).bytesWritten;
      ledger.closedConnections += 1;
    });
    endpoint.on('state', () => {
      const state = endpoint.state;
      const key = JSON.stringify(state);
      if (key === last) return;
      last = key;
      history.push({ t: Date.now(), hr: Number(process.hrtime.bigint() / 1000n) / 1000, ...state });
    });
    res.json({ ok: true });
  });
  // Bytes a client endpoint handed to the kernel, per connection: with what the peers recorded,
  // this tells "lost on the wire when the peer died" from "lost inside Node-RED".
  const rawSocketOf = (session) => session.transport || session.socket;
  // The write bookkeeping is created at a session's first write (a device that only sends never gets it).
  const pendingWritesOf = (session) => (session.writer ? session.writer.inFlight.length : 0);
  RED.httpAdmin.get('/reliability/socket/:id', (req, res) => {
    const endpoint = endpointOf(req.params.id);
    const ledger = ledgers.get(req.params.id) || { closedWritten: 0, closedConnections: 0 };
    const session = endpoint && endpoint.session;
    if (!session) return res.json({ ...ledger, current: null });
    const raw = rawSocketOf(session);
    res.json({ ...ledger, current: { bytesWritten: raw.bytesWritten, writableLength: raw.writableLength, localPort: raw.localPort, pendingWrites: pendingWritesOf(session) } });
  });
  RED.httpAdmin.get('/reliability/history/:id', (req, res) => res.json(histories.get(req.params.id) || []));
  RED.httpAdmin.post('/reliability/gen/:id', (req, res) => {
    const gen = gens.get(req.params.id);
    if (!gen) return res.status(404).json({ error: 'no gen' });
    gen.start(req.body || {});
    res.json({ sent: gen.state.sent });
  });
  RED.httpAdmin.get('/reliability/gen/:id', (req, res) => {
    const gen = gens.get(req.params.id);
    if (!gen) return res.status(404).json({ error: 'no gen' });
    res.json(gen.state);
  });
  RED.httpAdmin.get('/reliability/collect/:id', (req, res) => {
    const record = collectors.get(req.params.id);
    if (!record) return res.status(404).json({ error: 'no collector' });
    res.json(record);
  });
  RED.httpAdmin.get('/reliability/process', (_req, res) => {
    if (global.gc && _req.query.gc) global.gc();
    res.json({ memory: process.memoryUsage(), handles: process._getActiveHandles().length });
  });
};
