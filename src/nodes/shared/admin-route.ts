// The one way the package adds an HTTP admin route (/netcast/...). Every route goes through
// Node-RED's own admin authentication: with `adminAuth` on in settings.js, a request without a
// valid token gets 401 and a user whose permissions lack the route's permission gets 403. With
// adminAuth off, Node-RED lets everyone in, as it does for its own admin API.
//
// Never call RED.httpAdmin.<method> elsewhere: test/system/admin-auth.test.js lists every /netcast
// route of a running Node-RED and fails on one that answers without a token.
import { NetcastError } from '../../errors';
import type { HttpHandler, HttpRequest, HttpResponse, NodeAPI } from './red';

export type AdminMethod = 'get' | 'post' | 'put' | 'delete';
/** Node-RED permission names: `<scope>.read` for what only looks, `<scope>.write` for what acts. */
export type AdminPermission = `${string}.read` | `${string}.write`;

/** Permissions of the package's own admin routes. A user with Node-RED's `read` permission has every `*.read`. */
export const NETCAST_READ: AdminPermission = 'netcast.read';
export const NETCAST_WRITE: AdminPermission = 'netcast.write';

const PREFIX = '/netcast/';

/**
 * Registers `handler` at `path` (which must start with /netcast/) behind Node-RED's admin
 * authentication and `permission`.
 */
export function adminRoute(RED: NodeAPI, method: AdminMethod, path: string, permission: AdminPermission, handler: HttpHandler): void {
  if (!path.startsWith(PREFIX)) throw new NetcastError(`admin route ${path} must start with ${PREFIX}`, 'ERR_NETCAST_INTERNAL');
  if (!/^[\w-]+(\.[\w-]+)*\.(read|write)$/.test(permission)) throw new NetcastError(`admin route ${path}: permission ${permission} must end in .read or .write`, 'ERR_NETCAST_INTERNAL');
  RED.httpAdmin[method](path, guard(RED, permission), handler);
}

/**
 * Node-RED's needsPermission answers 401 both to "who are you?" and to "you may not"; a caller
 * with a valid token (req.user is set) who lacks the permission gets 403 instead.
 */
function guard(RED: NodeAPI, permission: AdminPermission): HttpHandler {
  const check = RED.auth.needsPermission(permission);
  return function netcastAdminGuard(req: HttpRequest, res: HttpResponse, next?: () => void): void {
    const status = res.status;
    res.status = (code: number) => status.call(res, code === 401 && req.user ? 403 : code);
    check(req, res, () => {
      res.status = status;
      next?.();
    });
  };
}
