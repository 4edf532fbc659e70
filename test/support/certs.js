'use strict';
// A throwaway CA, server and client certificate, made with openssl for each test run.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const tools = require('./tools');

function openssl(args, cwd) {
  execFileSync(tools.openssl(), args, { cwd, stdio: 'pipe' });
}

function makeCertificates() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-certs-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=netcast test CA', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  const ext = path.join(dir, 'san.ext');
  fs.writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
  for (const name of ['server', 'client', 'rogue']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name === 'server' ? 'localhost' : name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  }
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', 'server.crt'], dir);
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'client.crt'], dir);
  // signed by nobody we trust
  openssl(['x509', '-req', '-in', 'rogue.csr', '-signkey', 'rogue.key', '-days', '2', '-out', 'rogue.crt'], dir);
  const file = (name) => path.join(dir, name);
  return {
    dir,
    ca: file('ca.crt'),
    server: { cert: file('server.crt'), key: file('server.key') },
    client: { cert: file('client.crt'), key: file('client.key') },
    rogue: { cert: file('rogue.crt'), key: file('rogue.key') },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

module.exports = { makeCertificates };
