'use strict';
// A tiny request/reply protocol over the IPC channel of a forked child (raw servers, load
// generators). The child side also watches its own event loop, so every process reports the
// same max loop delay as the Node-RED sink does.
const { fork } = require('child_process');
const { monitorEventLoopDelay, performance } = require('perf_hooks');
const { launcher } = require('./launcher');

/** Child side: answer {id, cmd, args} with handlers[cmd](args); 'reset' and 'stats' are built in. */
function serve(given = {}) {
  let handlers = given;
  const loop = monitorEventLoopDelay({ resolution: 1 }); // reported: the longest gap between 1 ms ticks, less the 1 ms
  loop.enable();
  let resetAt = performance.now();
  const builtIn = {
    reset: () => {
      loop.reset();
      resetAt = performance.now();
    },
    loop: () => ({ maxLoopDelayMs: Math.max(0, loop.max / 1e6 - 1), elapsedMs: performance.now() - resetAt }),
  };
  // memory: a full GC first when the process runs with --expose-gc (bench/connections.js), then its memory in bytes
  handlers = { memory: () => (global.gc?.(), process.memoryUsage()), ...handlers };
  process.on('message', async ({ id, cmd, args }) => {
    try {
      let result;
      if (cmd === 'reset') {
        builtIn.reset();
        // {loopOnly: true}: restart the loop monitor, keep the counts (bench/connections.js)
        result = handlers.reset && !args?.loopOnly ? await handlers.reset(args) : undefined;
      } else if (cmd === 'stats') {
        result = { ...(handlers.stats ? await handlers.stats(args) : {}), ...builtIn.loop() };
      } else if (handlers[cmd]) {
        result = await handlers[cmd](args);
      } else {
        throw new Error(`unknown command ${cmd}`);
      }
      process.send({ id, result });
    } catch (err) {
      process.send({ id, error: err.stack || String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  // A clean exit on SIGINT, so --cpu-prof gets to write its profile.
  process.on('SIGINT', () => process.exit(0));
}

/**
 * Parent side: fork a script; `call(cmd, args)` resolves with the child's answer. With `netns`,
 * the child runs inside that network namespace (`ip netns exec` execs node in place, so the pid
 * and the IPC channel are the child's own); with `nofile`, under that open-file limit (launcher.js).
 */
function start(script, args = [], { execArgv = [], env, netns, nofile } = {}) {
  const [execPath, ...prefix] = launcher({ netns, nofile });
  const where = { execPath, execArgv: [...prefix, ...execArgv] };
  const child = fork(script, args, { ...where, env: env || process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map();
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.on('message', (message) => {
    if (message && message.event === 'ready') return waiting.get('ready')?.resolve(message.info);
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`${script}: ${message.error}`));
    else pending.resolve(message.result);
  });
  exited.then(({ code, signal }) => {
    for (const pending of waiting.values()) pending.reject(new Error(`${script} exited (${code ?? signal})`));
    waiting.clear();
  });
  const ready = new Promise((resolve, reject) => waiting.set('ready', { resolve, reject }));
  return {
    child,
    pid: child.pid,
    ready,
    exited,
    call(cmd, args) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, cmd, args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Child side: tell the parent the process is ready (listening, connected...). */
function ready(info = {}) {
  process.send({ event: 'ready', info });
}

module.exports = { serve, start, ready };
