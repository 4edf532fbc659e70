'use strict';
// The system tools tests spawn, found the one way scripts/system-deps.js finds them (the table
// `npm test` checks and installs first). Use these instead of a bare name or an absolute path:
//   spawn(tools.socat(), [...]); spawn(tools.python3('websockets'), [...]);
//   chromium.launch({ executablePath: tools.chromium() })   // honours CHROMIUM_PATH
// A missing tool throws the same one sentence the pretest step prints, naming the apt-get command.
const deps = require('../../scripts/system-deps');

const cache = new Map();

function rowFor(predicate, description) {
  const row = deps.SYSTEM_DEPS.find(predicate);
  if (!row) throw new Error(`scripts/system-deps.js has no row for ${description}: add one`);
  return row;
}

function find(row) {
  if (!cache.has(row)) {
    const found = deps.locate(row);
    if (!found) throw new Error(deps.missingSentence([row]));
    cache.set(row, found);
  }
  return cache.get(row);
}

/** Absolute path of an executable from the table (`command` rows), e.g. command('socat'). */
const command = (name) => find(rowFor((row) => row.find.command === name, `the command ${name}`));

/** A Python 3 that can import `module` (a row with find.python === module). */
const python3 = (module) => find(rowFor((row) => row.find.python === module, `the Python module ${module}`));

module.exports = {
  command,
  python3,
  chromium: () => find(rowFor((row) => row.find.chromium, 'Chromium')),
  socat: () => command('socat'),
  nc: () => command('nc'),
  openssl: () => command('openssl'),
  ip: () => command('ip'),
};
