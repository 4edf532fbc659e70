'use strict';
// node-red-node-test-helper, started once per test file, with our node sets at hand.
const helper = require('node-red-node-test-helper');
const path = require('path');
const { until } = require('./events');

// NETCAST_NODE_RED selects another Node-RED install (the directory of its node-red package, as
// scripts/test-node-red-5.js sets it); the core nodes come from that same install.
const nodeRedDir = process.env.NETCAST_NODE_RED ? path.resolve(process.env.NETCAST_NODE_RED) : path.dirname(require.resolve('node-red/package.json'));
const fromNodeRed = (id) => require(require.resolve(id, { paths: [nodeRedDir] }));
helper.init(require.resolve(nodeRedDir));

const dist = path.join(__dirname, '..', '..', 'dist', 'nodes');
const nodeSet = (name) => require(path.join(dist, `${name}.js`));
const tlsConfigNode = fromNodeRed('@node-red/nodes/core/network/05-tls.js');
const catchNode = fromNodeRed('@node-red/nodes/core/common/25-catch.js');

/**
 * helper.load, with every node that sits on a tab given a position: Node-RED treats nodes
 * without x/y as config nodes, and Catch and Status nodes then never see them.
 */
function load(nodeSets, flow, credentials) {
  const placed = flow.map((node) => (node.z && node.x === undefined ? { x: 100, y: 100, ...node } : node));
  return helper.load(nodeSets, placed, credentials);
}

function useHelper() {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());
}

/** The endpoint object a config node owns. */
function endpointOf(configId) {
  const node = helper.getNode(configId);
  if (!node || !node.owner) throw new Error(`no netcast config node ${configId}`);
  return node.owner.endpoint;
}

/** Waits until a server endpoint listens and returns the port it got. */
async function listeningPort(configId) {
  const endpoint = endpointOf(configId);
  await until(() => endpoint.state.phase === 'listening' || endpoint.state.phase === 'failed', 5000, 'the endpoint to listen');
  if (endpoint.state.phase === 'failed') throw new Error(endpoint.state.reason);
  return endpoint.port;
}

/** Waits until a UDP endpoint's socket is bound and returns its port. */
async function boundPort(configId = 'ep') {
  const endpoint = endpointOf(configId);
  await until(() => endpoint.state.phase === 'ready' || endpoint.state.phase === 'failed', 5000, 'the UDP socket to bind');
  if (endpoint.state.phase === 'failed') throw new Error(endpoint.state.reason);
  return endpoint.port;
}

/** Resolves with the next error a node reports through node.error(err, msg). */
function nextError(node, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error was reported')), ms);
    const original = node.error.bind(node);
    node.error = (err, msg) => {
      clearTimeout(timer);
      node.error = original;
      original(err, msg);
      resolve({ err, msg, text: err instanceof Error ? err.message : String(err) });
    };
  });
}

module.exports = { helper, load, nodeSet, fromNodeRed, tlsConfigNode, catchNode, useHelper, endpointOf, listeningPort, boundPort, nextError };
