import { reportError } from './error-report';
import type { Node, NodeMessage } from './red';

export interface OwnedEndpoint {
  start(): void;
  close(): Promise<void>;
  /** 'client' endpoints connect somewhere: they start once the whole deploy exists */
  readonly mode?: string;
  /** TCP: whether anything can answer a peer (an out node is attached) */
  replies?: boolean;
}

interface User {
  node: Node;
  receives: boolean;
  sends: boolean;
}

/**
 * Held by a config node: the endpoint it owns, and the one place its errors are reported from.
 *
 * Starting. An unused config node binds nothing: the endpoint starts when the first in or out
 * node attaches. A server or a bound socket starts right then, inside Node-RED's flow start, so it
 * listens (binds, has its WebSocket path) before Node-RED logs "Started flows"; no connection can
 * be handled before the whole deploy exists, as Node-RED creates every node of a deploy before it
 * returns to the event loop. A client starts once the deploy exists (setImmediate), so it finds
 * the servers of the same deploy listening instead of logging "connection refused".
 *
 * Reporting. Every error is reported once, through one attached node (an in node if there is one,
 * else an out node), whatever nodes are attached: an endpoint-wide error once per new reason (a
 * failing reconnect is not reported at every attempt), a session's error once with that session's
 * msg. Until the deploy exists errors wait, because Node-RED wires Catch nodes only then.
 */
export class EndpointOwner<E extends OwnedEndpoint> {
  private started = false;
  private settled = false;
  private closed = false;
  private readonly users: User[] = [];
  private readonly waiting: Array<{ err: Error; msg?: NodeMessage }> = [];
  private lastReported?: string;

  constructor(
    readonly endpoint: E | undefined,
    readonly configError?: Error,
  ) {}

  get inUse(): boolean {
    return this.users.length > 0;
  }

  /** Called by an in node (receives), an out node (sends), or a node that does both. */
  attach(node: Node, receives: boolean, sends = !receives): E | undefined {
    this.users.push({ node, receives, sends });
    this.updateReplies();
    if (!this.started) {
      this.started = true;
      const endpoint = this.endpoint;
      if (endpoint && endpoint.mode !== 'client') endpoint.start();
      setImmediate(() => {
        if (this.closed) return;
        if (endpoint && endpoint.mode === 'client') endpoint.start();
        this.settle();
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
    this.updateReplies();
  }

  /** Reports an endpoint-wide error, once per new reason. */
  report(err: Error): void {
    if (err.message === this.lastReported) return;
    this.lastReported = err.message;
    this.deliver(err);
  }

  /** Reports an error of one session (one connection), with that session's msg fields. */
  reportSession(err: Error, msg: NodeMessage): void {
    this.deliver(err, msg);
  }

  /** The endpoint works again: the next failure is news. */
  recovered(): void {
    this.lastReported = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.endpoint) await this.endpoint.close();
  }

  /** The node that speaks for the endpoint: an in node if there is one. */
  private get reporter(): Node | undefined {
    return (this.users.find((user) => user.receives) ?? this.users[0])?.node;
  }

  private deliver(err: Error, msg?: NodeMessage): void {
    if (!this.settled) {
      this.waiting.push({ err, msg });
      return;
    }
    const reporter = this.reporter;
    if (reporter) reportError(reporter, err, msg ?? {});
  }

  private settle(): void {
    this.settled = true;
    if (this.configError) this.deliver(this.configError);
    for (const { err, msg } of this.waiting.splice(0)) this.deliver(err, msg);
  }

  private updateReplies(): void {
    if (this.endpoint && 'replies' in this.endpoint) this.endpoint.replies = this.users.some((user) => user.sends);
  }
}
