'use strict';
// The package as a user gets it: `npm pack`, installed with npm into an empty project. require()
// must work (package.json "main"), the README's pictures and links must be in the tarball, and
// installing must not warn about install scripts (the tarball ships dist/, nothing to build).
require('should');
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { packTarball } = require('../support/node-red-process');

const ROOT = path.join(__dirname, '..', '..');
const NAME = '@netcast/node-red-transports';

/** Relative links and image sources of the README (what a reader of the package clicks). */
function readmeTargets() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const targets = new Set();
  for (const match of readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)|<img [^>]*src="([^"]+)"/g)) {
    const target = match[1] ?? match[2];
    if (!/^[a-z]+:/i.test(target)) targets.add(target);
  }
  return [...targets];
}

describe('system: the packed package', function () {
  this.timeout(120000);
  let project;
  let installOutput;
  let files;

  before(function () {
    const tarball = packTarball();
    files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-install-'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'a-user-project', private: true, version: '1.0.0' }));
    // as a user installs it: scripts allowed, so an install script would run (and be warned about)
    const result = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, encoding: 'utf8' });
    installOutput = `${result.stdout}\n${result.stderr}`;
    result.status.should.equal(0, installOutput);
  });

  after(function () {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('installs without an install-script warning and without building', function () {
    installOutput.should.not.match(/install.scripts?|prepare|tsc/i);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', NAME, 'package.json'), 'utf8'));
    Object.keys(manifest.scripts ?? {}).filter((name) => /^(pre|post)?install$|^prepare$/.test(name)).should.eql([]);
  });

  it('require() gives the framing library, from the installed tarball and from the checkout', function () {
    const script = `
      const m = require(__ID__);
      const codec = m.createCodec(m.parseFramingOptions({ framing: 'delimiter', delimiter: '\\\\n' }));
      const frames = codec.createDecoder().push(Buffer.from('a\\nbc\\n')).map(String);
      console.log(JSON.stringify({ frames, modes: m.FRAMING_MODES, error: typeof m.FramingError }));`;
    // the installed package by name, and the checkout by path (as `npm install /path/to/checkout` links it)
    for (const [cwd, id] of [[project, NAME], [ROOT, ROOT]]) {
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script.replace('__ID__', JSON.stringify(id))], { cwd, encoding: 'utf8' }));
      out.frames.should.eql(['a', 'bc']);
      out.modes.should.containEql('length');
      out.error.should.equal('function');
    }
    fs.existsSync(path.join(project, 'node_modules', NAME, 'dist', 'index.d.ts')).should.be.true('types for TypeScript users');
  });

  it('holds every file the README links to or shows, and the nodes Node-RED loads', function () {
    const targets = readmeTargets();
    targets.length.should.be.above(5);
    const missing = targets.filter((target) => !files.includes(path.posix.normalize(target)));
    missing.should.eql([], `README links to files the tarball lacks: ${missing.join(', ')}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const file of [manifest.main, ...Object.values(manifest['node-red'].nodes)]) files.should.containEql(file);
  });
});
