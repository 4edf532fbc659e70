'use strict';
require('should');
const fs = require('fs');
const path = require('path');
const { adminRoute } = require('../../dist/nodes/shared/admin-route');

const src = path.join(__dirname, '..', '..', 'src');
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));

describe('admin routes', function () {
  it('are added only through adminRoute, which puts the admin-auth guard first', function () {
    const direct = files(src).filter((file) => !file.endsWith(path.join('shared', 'admin-route.ts')) && /httpAdmin\s*(\.|\[)/.test(fs.readFileSync(file, 'utf8')));
    direct.map((file) => path.relative(src, file)).should.be.empty();
  });

  it('refuses a path outside /netcast/ and a permission that is not .read or .write', function () {
    const registered = [];
    const RED = {
      httpAdmin: { get: (...args) => registered.push(args) },
      auth: { needsPermission: (permission) => Object.assign(() => undefined, { permission }) },
    };
    (() => adminRoute(RED, 'get', '/other', 'netcast.read', () => undefined)).should.throw(/must start with \/netcast\//);
    (() => adminRoute(RED, 'get', '/netcast/x', 'netcast', () => undefined)).should.throw(/\.read or \.write/);
    adminRoute(RED, 'get', '/netcast/x', 'netcast.read', () => undefined);
    registered.should.have.length(1);
    registered[0][0].should.equal('/netcast/x');
    registered[0][1].name.should.equal('netcastAdminGuard');
  });

  it('turns the 401 of a signed-in user who lacks the permission into 403, and leaves a 401 without a user alone', function () {
    let handlerCalls = 0;
    let registered;
    const RED = {
      httpAdmin: { get: (_path, guard, handler) => (registered = { guard, handler }) },
      // what Node-RED's needsPermission does when the permission is missing
      auth: { needsPermission: () => (_req, res) => res.status(401).end() },
    };
    adminRoute(RED, 'get', '/netcast/x', 'netcast.read', () => handlerCalls++);
    const answer = () => {
      const res = { code: 0, status(code) { this.code = code; return this; }, end() {} };
      return res;
    };
    const signedIn = answer();
    registered.guard({ user: { username: 'viewer' } }, signedIn, () => handlerCalls++);
    signedIn.code.should.equal(403);
    const anonymous = answer();
    registered.guard({}, anonymous, () => handlerCalls++);
    anonymous.code.should.equal(401);
    handlerCalls.should.equal(0);
  });
});
