// What tcp request and udp request share: how an answer is recognised, the timeout and retries
// (per node, msg.timeout per message), and where answers, failures and stray frames go.
// Property names here are public API: users' flows store them.
import type { MatchRule, RequestSettings } from '../../transport/request/correlator';
import { ConfigError, readChoice, readInteger } from './config-values';
import { PayloadError } from './payload';
import type { DoneFunction, Node, NodeMessage, SendFunction } from './red';
import { errorReport } from './error-report';

type Config = Record<string, unknown>;

export const MATCH_KINDS = ['next', 'id', 'window', 'none'] as const;
export const MAX_TIMEOUT_MS = 3_600_000;

export function readMatchRule(config: Config): MatchRule {
  const kind = readChoice(config, 'match', 'Answer', MATCH_KINDS, 'next');
  switch (kind) {
    case 'id': {
      const offset = readInteger(config, 'idOffset', { label: 'Id offset', min: 0, max: 65535, fallback: 0 });
      const length = readInteger(config, 'idLength', { label: 'Id length', min: 1, max: 64, fallback: 2 });
      const maxInFlight = readInteger(config, 'maxInFlight', { label: 'Requests in flight', min: 1, max: 65535, fallback: 8 });
      return { kind, offset, length, maxInFlight };
    }
    case 'window':
      return { kind, windowMs: readInteger(config, 'window', { label: 'Answer window', min: 1, max: MAX_TIMEOUT_MS, fallback: 500 }) };
    default:
      return { kind };
  }
}

export function readRequestSettings(config: Config): RequestSettings {
  const timeout = config.timeout;
  if (typeof timeout === 'number' && timeout < 0) throw new ConfigError(`Timeout cannot be negative (got ${timeout}); enter the milliseconds to wait for an answer`);
  return {
    timeoutMs: readInteger(config, 'timeout', { label: 'Timeout (ms)', min: 1, max: MAX_TIMEOUT_MS, fallback: 1000 }),
    retries: readInteger(config, 'retries', { label: 'Retries', min: 0, max: 100, fallback: 0 }),
  };
}

/** The node's settings, with msg.timeout (milliseconds) in place of the node's when the message has one. */
export function requestSettingsFor(msg: NodeMessage, settings: RequestSettings): RequestSettings {
  if (msg.timeout === undefined || msg.timeout === null || msg.timeout === '') return settings;
  const timeoutMs = Number(msg.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new PayloadError(`msg.timeout must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got ${JSON.stringify(msg.timeout)})`);
  }
  return { timeoutMs, retries: settings.retries };
}

/** Output 1: answers; then, when chosen, failures and frames that answered nothing. */
export class RequestOutputs {
  readonly count: number;
  private readonly errorIndex: number;
  private readonly unmatchedIndex: number;

  constructor(errorOutput: boolean, unmatchedOutput: boolean) {
    this.errorIndex = errorOutput ? 1 : -1;
    this.unmatchedIndex = unmatchedOutput ? (errorOutput ? 2 : 1) : -1;
    this.count = 1 + (errorOutput ? 1 : 0) + (unmatchedOutput ? 1 : 0);
  }

  get hasUnmatched(): boolean {
    return this.unmatchedIndex > 0;
  }

  answer(msg: NodeMessage): NodeMessage | Array<NodeMessage | null> {
    return this.count === 1 ? msg : this.at(0, msg);
  }

  unmatched(msg: NodeMessage): Array<NodeMessage | null> {
    return this.at(this.unmatchedIndex, msg);
  }

  /**
   * A failed request: the original message to the error output with msg.error = {message, code},
   * or through done(err) to Catch nodes (which get msg.error.code from err.code).
   */
  fail(node: Node, send: SendFunction, done: DoneFunction, msg: NodeMessage, err: Error): void {
    if (this.errorIndex < 0) {
      done(errorReport(err));
      return;
    }
    const code = (err as { code?: unknown }).code;
    msg.error = { message: err.message, code: typeof code === 'string' ? code : 'ERR_NETCAST', source: { id: node.id, type: node.type, name: node.name } };
    send(this.at(this.errorIndex, msg));
    done();
  }

  private at(index: number, msg: NodeMessage): Array<NodeMessage | null> {
    const out: Array<NodeMessage | null> = new Array(this.count).fill(null);
    out[index] = msg;
    return out;
  }
}
