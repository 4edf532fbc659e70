'use strict';
// Every /netcast admin route sits behind Node-RED's admin authentication. The routes are listed
// from the running Node-RED's own admin router (a test-only httpAdminMiddleware reads it), so a
// route added later without the guard fails here without anyone updating a list.
require('should');
const path = require('path');
const { startNodeRed, redJs } = require('../support/node-red-process');

const runtimeModule = require.resolve('@node-red/runtime', { paths: [path.dirname(redJs)] });

// tokens() is Node-RED's hook for custom tokens: one with every permission, one with only flows.read.
// netcast.metrics turns on the routes that exist only when asked for, so they are checked too.
const SETTINGS = `
  netcast: { metrics: true },
  adminAuth: {
    type: 'credentials',
    users: [],
    tokens: (token) => Promise.resolve(
      token === 'all-permissions' ? { username: 'admin', permissions: '*' }
        : token === 'flows-only' ? { username: 'viewer', permissions: ['flows.read'] }
          : null),
  },
  httpAdminMiddleware: (req, res, next) => {
    if (req.path !== '/__netcast-test-routes') return next();
    // nodes register their routes on the runtime's admin app, mounted inside the editor's
    const runtimeAdmin = require(${JSON.stringify(runtimeModule)}).httpAdmin;
    const routes = [];
    const walk = (stack) => {
      for (const layer of stack) {
        if (layer.handle && Array.isArray(layer.handle.stack)) walk(layer.handle.stack);
        if (!layer.route) continue;
        for (const path of [].concat(layer.route.path)) {
          if (typeof path !== 'string' || !path.startsWith('/netcast')) continue;
          for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path });
        }
      }
    };
    for (const app of [req.app, runtimeAdmin]) walk((app._router || app.router).stack);
    res.json(routes);
  },
`;

describe('system: /netcast admin routes with adminAuth on', function () {
  this.timeout(90000);
  let red;

  before(async function () {
    red = await startNodeRed({ settings: SETTINGS });
  });
  after(async function () {
    if (red) await red.stop();
  });

  const call = async (route, token) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const response = await fetch(`${red.url}${route.path.replace(/:[^/]+/g, 'no-such-id')}`, { method: route.method, headers });
    await response.arrayBuffer();
    return response.status;
  };

  it('answers 401 without a token, 403 without the permission, and serves an admin on every /netcast route', async function () {
    const routes = await (await fetch(`${red.url}/__netcast-test-routes`)).json();
    routes.map((route) => route.path).should.containEql('/netcast/interfaces');
    for (const route of routes) {
      (await call(route)).should.equal(401, `${route.method} ${route.path} without a token`);
      (await call(route, 'not-a-token')).should.equal(401, `${route.method} ${route.path} with a wrong token`);
      (await call(route, 'flows-only')).should.equal(403, `${route.method} ${route.path} for a user with only flows.read`);
      if (route.method === 'GET') (await call(route, 'all-permissions')).should.be.within(200, 404, `${route.method} ${route.path} for an admin`);
    }
    // Node-RED's own admin API is guarded the same way, so the test is not passing by accident.
    (await call({ method: 'GET', path: '/flows' })).should.equal(401);
  });
});
