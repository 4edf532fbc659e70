'use strict';
// Runs inside a benchmark network namespace and makes the HTTP requests the harness cannot make
// from outside it (Node-RED's admin API listens on the namespace's own 127.0.0.1).
const ipc = require('../ipc');

ipc.serve({
  async request({ url, method, headers, body }) {
    const response = await fetch(url, { method, headers, body });
    return { ok: response.ok, status: response.status, text: await response.text() };
  },
});
ipc.ready({});
