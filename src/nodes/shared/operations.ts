// The operations view's runtime half: one EndpointRegistry per Node-RED runtime and the HTTP
// routes that read it. Admin routes: GET /netcast/endpoints and /netcast/endpoints/:id (JSON),
// GET /netcast/metrics when settings.js opts in; all need the 'netcast.read' permission once
// adminAuth is on (401 without a token, 403 without the permission, as Node-RED's own routes).
import { adminRoute, NETCAST_READ } from './admin-route';
import { EndpointRegistry } from './endpoint-registry';
import { snapshotOf, type Viewer } from './endpoint-snapshot';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics';
import type { HttpRequest, HttpResponse, NodeAPI } from './red';

// Keyed by the runtime's admin app (one per runtime: every node set's RED shares it), so the
// registry lives and dies with that runtime; the endpoints themselves are in the registry.
const registries = new WeakMap<object, EndpointRegistry>();

/** The registry of the runtime `RED` belongs to; the first call installs its HTTP routes. */
export function registryFor(RED: NodeAPI): EndpointRegistry {
  const key: object = RED.httpAdmin;
  let registry = registries.get(key);
  if (!registry) {
    registry = new EndpointRegistry();
    registries.set(key, registry);
    installRoutes(RED, registry);
  }
  return registry;
}

function viewerOf(req: HttpRequest): Viewer {
  const host = req.headers.host;
  return { host: typeof host === 'string' && host !== '' ? host : undefined };
}

function installRoutes(RED: NodeAPI, registry: EndpointRegistry): void {
  adminRoute(RED, 'get', '/netcast/endpoints', NETCAST_READ, (req, res) => {
    const viewer = viewerOf(req);
    res.json(registry.list().map((entry) => snapshotOf(entry, viewer)));
  });
  adminRoute(RED, 'get', '/netcast/endpoints/:id', NETCAST_READ, (req, res) => {
    const entry = registry.get(req.params.id);
    if (!entry) {
      res.status(404).json({ code: 'ERR_NETCAST_NO_ENDPOINT', message: `no netcast endpoint with id ${req.params.id} is running; deploy the flow that holds it` });
      return;
    }
    res.json(snapshotOf(entry, viewerOf(req)));
  });
  installMetrics(RED, registry);
}

/**
 * settings.js `netcast: { metrics: true }` serves /netcast/metrics on the admin API (same
 * permission as above); `metrics: '/metrics'` serves that path on Node-RED's HTTP-node server
 * instead (where httpNodeAuth, if set, guards it), for a Prometheus that has no admin token.
 */
function installMetrics(RED: NodeAPI, registry: EndpointRegistry): void {
  const options = RED.settings.netcast as { metrics?: unknown } | undefined;
  const metrics = options?.metrics;
  if (metrics === undefined || metrics === false) return;
  const serve = (req: HttpRequest, res: HttpResponse): void => {
    const viewer = viewerOf(req);
    res.set('Content-Type', METRICS_CONTENT_TYPE).send(renderMetrics(registry.list().map((entry) => snapshotOf(entry, viewer))));
  };
  if (metrics === true) {
    adminRoute(RED, 'get', '/netcast/metrics', NETCAST_READ, serve);
    return;
  }
  if (typeof metrics === 'string' && metrics.startsWith('/') && RED.httpNode) {
    RED.httpNode.get(metrics, serve);
    return;
  }
  RED.log?.warn(`netcast: settings.netcast.metrics ${JSON.stringify(metrics)} is not true or a path starting with /; no metrics are served (set metrics: true or metrics: '/metrics')`);
}
