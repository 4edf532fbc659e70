// The endpoints one Node-RED runtime is running, for the operations view: the editor's netcast
// sidebar, GET /netcast/endpoints, the Prometheus metrics and the control node. One registry per
// runtime, kept with that runtime's admin app (never in a module-level table of endpoints), so
// two runtimes in one process (tests) never see each other's endpoints.
import type { EndpointReport } from '../../transport/endpoint-report';
import type { EndpointCounters, EndpointState } from '../../transport/endpoint-state';

export type Transport = 'tcp' | 'udp' | 'multicast' | 'websocket';

/** What the registry needs of an endpoint; every transport's endpoint has it. */
export interface ObservedEndpoint {
  readonly state: EndpointState;
  readonly counters: EndpointCounters;
  report(): EndpointReport;
  on(event: 'state', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'state', listener: () => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

export interface EndpointIdentity {
  /** the config node's id */
  id: string;
  name: string;
  /** the config node's type, e.g. netcast-tcp-endpoint */
  type: string;
  transport: Transport;
  /** the flow nodes using the endpoint now (for the editor to reveal them) */
  nodes: () => string[];
}

/** One registered endpoint and what the registry counts about it. */
export class RegisteredEndpoint {
  /** when the endpoint entered its current phase (ms since the epoch) */
  since = Date.now();
  errors = 0;
  reconnects = 0;
  lastError?: { message: string; code?: string; at: number };
  private phase: EndpointState['phase'];

  constructor(
    readonly identity: EndpointIdentity,
    readonly endpoint: ObservedEndpoint,
  ) {
    this.phase = endpoint.state.phase;
  }

  // 'state' also fires when counters change; only a new phase is news here
  readonly onState = (): void => {
    const phase = this.endpoint.state.phase;
    if (phase === this.phase) return;
    this.phase = phase;
    this.since = Date.now();
    if (phase === 'reconnecting') this.reconnects += 1;
  };

  readonly onError = (err: Error): void => {
    this.errors += 1;
    const code = (err as { code?: unknown }).code;
    this.lastError = { message: err.message, code: typeof code === 'string' ? code : undefined, at: Date.now() };
  };
}

export class EndpointRegistry {
  private readonly entries = new Map<string, RegisteredEndpoint>();

  /** Lists the endpoint until the returned function is called (when its config node closes). */
  add(identity: EndpointIdentity, endpoint: ObservedEndpoint): () => void {
    const entry = new RegisteredEndpoint(identity, endpoint);
    this.entries.set(identity.id, entry);
    endpoint.on('state', entry.onState);
    endpoint.on('error', entry.onError);
    return () => {
      endpoint.off('state', entry.onState);
      endpoint.off('error', entry.onError);
      if (this.entries.get(identity.id) === entry) this.entries.delete(identity.id);
    };
  }

  get(id: string): RegisteredEndpoint | undefined {
    return this.entries.get(id);
  }

  list(): RegisteredEndpoint[] {
    return [...this.entries.values()];
  }
}
