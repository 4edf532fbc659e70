'use strict';
// Awaiting things that happen, with a bound so a broken feature fails the test instead of hanging it.

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function once(emitter, event, ms = 5000) {
  return withTimeout(new Promise((resolve) => emitter.once(event, (...args) => resolve(args.length > 1 ? args : args[0]))), ms, `"${event}"`);
}

/** Resolves when predicate() becomes true, checking on every event-loop turn. */
function until(predicate, ms = 5000, what = 'condition') {
  return withTimeout(new Promise((resolve) => {
    const check = () => {
      const value = predicate();
      if (value) resolve(value);
      else setImmediate(check);
    };
    check();
  }), ms, what);
}

/** Collects `count` messages arriving at a helper node (e.g. a helper node wired after an in node). */
function collect(node, count, ms = 5000) {
  const messages = [];
  return withTimeout(new Promise((resolve) => {
    node.on('input', (msg) => {
      messages.push(msg);
      if (messages.length === count) resolve(messages);
    });
  }), ms, `${count} messages (got ${messages.length})`).catch((err) => {
    err.message += `; received: ${JSON.stringify(messages.map((m) => m.payload)).slice(0, 300)}`;
    throw err;
  });
}

module.exports = { withTimeout, once, until, collect };
