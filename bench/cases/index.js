'use strict';
// Every case, in run order. A transport's cases join when its node set is listed in
// package.json "node-red".nodes (that is, when the package ships it).
const fs = require('fs');
const path = require('path');

const shipped = Object.keys(require('../../package.json')['node-red'].nodes);
const optional = [
  ['netcast-udp', './udp.js'],
  ['netcast-multicast', './multicast.js'],
  ['netcast-websocket', './websocket.js'],
  ['netcast-request', './request.js'],
];

module.exports = [
  ...require('./tcp'),
  ...optional.filter(([set, file]) => shipped.includes(set) && fs.existsSync(path.join(__dirname, file))).flatMap(([, file]) => require(file)),
  ...require('./connections'),
  ...require('./idle'),
];
