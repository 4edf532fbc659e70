import type { Node } from './red';

export interface OwnedEndpoint {
  start(): void;
  close(): Promise<void>;
}

/**
 * Held by a config node: the endpoint it owns, started once the first in or out node uses it
 * (after every node of the deploy exists, so no early data is missed and an unused config node
 * binds nothing), and the one place endpoint-wide errors are reported from, so a failing
 * reconnect is logged once per new reason instead of once per node per attempt.
 */
export class EndpointOwner<E extends OwnedEndpoint> {
  private started = false;
  private closed = false;
  private readonly users: Array<{ node: Node; receives: boolean }> = [];
  private lastReported?: string;

  constructor(
    readonly endpoint: E | undefined,
    readonly configError?: Error,
  ) {}

  /** Called by an in node (receives = true) or an out node when it is created. */
  attach(node: Node, receives: boolean): E | undefined {
    this.users.push({ node, receives });
    if (this.endpoint && !this.started) {
      this.started = true;
      const endpoint = this.endpoint;
      setImmediate(() => {
        if (!this.closed) endpoint.start();
      });
    }
    return this.endpoint;
  }

  /** ids of the nodes using the endpoint now */
  get nodeIds(): string[] {
    return this.users.map((user) => user.node.id);
  }

  detach(node: Node): void {
    const index = this.users.findIndex((user) => user.node === node);
    if (index >= 0) this.users.splice(index, 1);
  }

  /** Reports an endpoint-wide error through one attached node (an in node if there is one). */
  report(err: Error): void {
    if (err.message === this.lastReported) return;
    this.lastReported = err.message;
    const reporter = this.users.find((user) => user.receives) ?? this.users[0];
    reporter?.node.error(err, {});
  }

  /** The endpoint works again: the next failure is news. */
  recovered(): void {
    this.lastReported = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.endpoint) await this.endpoint.close();
  }
}
