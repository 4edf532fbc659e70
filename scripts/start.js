'use strict';
// `npm start`: an embedded Node-RED on 127.0.0.1:1880 with this package loaded and the example
// flows imported (all but multicast, which would send on the real network), in a throwaway user dir, with telemetry and update checks off.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const express = require('express');
// NETCAST_NODE_RED: another Node-RED install to run (scripts/test-node-red-5.js sets it)
const RED = require(process.env.NETCAST_NODE_RED ? path.resolve(process.env.NETCAST_NODE_RED) : 'node-red');
const { loadExamples } = require('./examples');

const root = path.join(__dirname, '..');
const port = Number(process.env.PORT || 1880);
const host = process.env.HOST || '127.0.0.1';


function prepareUserDir() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-start-'));
  const scope = path.join(userDir, 'node_modules', '@netcast');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(root, path.join(scope, 'node-red-transports'), 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'netcast-start', private: true, dependencies: { '@netcast/node-red-transports': '*' } }));
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(loadExamples().flatMap(({ flow }) => flow), null, 2));
  return userDir;
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist', 'nodes'))) {
    console.error('dist/ is missing: run `npm install` (it builds the package) first');
    process.exit(1);
  }
  const userDir = prepareUserDir();
  const app = express();
  const server = http.createServer(app);
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    uiHost: host,
    uiPort: port,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    functionGlobalContext: {},
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    editorTheme: { tours: false },
    externalModules: { palette: { allowInstall: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  RED.init(server, settings);
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  app.use(settings.httpNodeRoot, RED.httpNode);
  await RED.start();
  server.listen(port, host, () => {
    console.log(`\nnetcast: Node-RED is running at http://${host}:${port}/ with the example flows (user dir ${userDir})`);
    console.log('netcast: the multicast examples send on your network, so they are not started here: import them from Menu > Import > Examples\n');
  });
  const stop = async () => {
    await RED.stop();
    server.close();
    fs.rmSync(userDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
