'use strict';
// Many connections from one process on loopback: each source address 127.0.0.x has its own
// ephemeral port range (32768-60999 on Linux, about 28,000 ports), so spreading 10,000
// connections (and the TIME_WAIT left by the previous measurement) over several addresses keeps
// the range from running out. Every 127.0.0.0/8 address is on lo, nothing to configure.
const SOURCES = 8;

/** The source address of connection i. */
function sourceAddress(i) {
  return `127.0.0.${2 + (i % SOURCES)}`;
}

/**
 * Opens `count` connections with at most `inFlight` handshakes outstanding at a time (a burst of
 * devices reconnecting, without overflowing the server's accept queue into SYN retries), calling
 * open(i) -> Promise<socket-like>. Resolves with {opened: [...], failed, ms}.
 */
async function openMany(count, inFlight, open) {
  const opened = new Array(count);
  let next = 0;
  let failed = 0;
  let lastError = '';
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        opened[i] = await open(i);
      } catch (err) {
        failed += 1;
        lastError = err.message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { opened: opened.filter(Boolean), failed, lastError, ms };
}

module.exports = { sourceAddress, openMany };
