import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { refuseUpgrade } from './upgrade-gate';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class PathInUseError extends Error {
  readonly code = 'ERR_NETCAST_PATH_IN_USE';
  constructor(path: string) {
    super(`WebSocket path ${path} is already used by another WebSocket endpoint on this server; give each endpoint its own path`);
  }
}

/**
 * The WebSocket paths served on one HTTP server. It is kept with the server itself (a WeakMap
 * keyed by the server object), not in a module-level map keyed by path: two Node-RED instances
 * or two test servers in one process never see each other's paths, and the table disappears
 * with its server. One 'upgrade' listener serves every path and leaves other upgrades (the
 * editor's own comms socket, other nodes) untouched.
 */
export class UpgradeRoutes {
  private static readonly byServer = new WeakMap<Server, UpgradeRoutes>();
  private readonly routes = new Map<string, UpgradeHandler>();
  private readonly listener = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.route(request, socket, head);

  private constructor(
    private readonly server: Server,
    private readonly others: 'leave' | 'refuse',
  ) {}

  /**
   * Serves upgrades for `path` on `server` with `handler` until the returned function is called.
   * Throws PathInUseError when another endpoint already serves that path. `others`: what happens
   * to an upgrade for a path nobody claimed: left to other listeners (Node-RED's own server), or
   * answered 404 (an endpoint's own port).
   */
  static claim(server: Server, path: string, handler: UpgradeHandler, others: 'leave' | 'refuse' = 'leave'): () => void {
    let routes = UpgradeRoutes.byServer.get(server);
    if (!routes) {
      routes = new UpgradeRoutes(server, others);
      UpgradeRoutes.byServer.set(server, routes);
    }
    return routes.add(normalisePath(path), handler);
  }

  private add(path: string, handler: UpgradeHandler): () => void {
    if (this.routes.has(path)) throw new PathInUseError(path);
    this.routes.set(path, handler);
    if (this.routes.size === 1) this.server.on('upgrade', this.listener);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.routes.delete(path);
      if (this.routes.size === 0) {
        this.server.off('upgrade', this.listener);
        UpgradeRoutes.byServer.delete(this.server);
      }
    };
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const handler = this.routes.get(normalisePath(pathOf(request.url)));
    if (handler) handler(request, socket, head);
    else if (this.others === 'refuse') refuseUpgrade(socket, 404);
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/** "/ws/chat/" and "/ws/chat" are the same endpoint; "//" collapses. */
export function normalisePath(path: string): string {
  const collapsed = `/${path}`.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 && collapsed.endsWith('/') ? collapsed.slice(0, -1) : collapsed;
}

/** The full path of an endpoint's `path` under Node-RED's httpNodeRoot. */
export function joinPath(root: string, path: string): string {
  return normalisePath(`${root}/${path}`);
}
