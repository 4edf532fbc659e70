import type { EndpointCounters, EndpointState } from '../../transport/endpoint-state';
import type { NodeAPI, NodeStatus } from './red';

/**
 * The words of a status, by key, with __name__ placeholders: each node set's catalog has them
 * under `<set>.status` in every language (en-US, zh-CN), and the runtime's language picks them.
 * ENGLISH is what a status reads when no catalog answers (unit tests, a missing key).
 */
export type StatusWords = (key: StatusKey, values?: Record<string, string | number>) => string;

export const ENGLISH = {
  starting: 'starting',
  listening: 'listening __where__',
  oneClient: '1 client',
  clients: '__count__ clients',
  connecting: 'connecting to __target__',
  connected: 'connected',
  connectedTo: 'connected to __target__',
  bound: 'bound __where__',
  joined: 'joined __groups__',
  reconnecting: 'reconnecting in __time__',
  seconds: '__n__ s',
  waitingFor: 'waiting for __what__',
  error: 'error: __reason__',
  closed: 'closed',
  queued: '__count__ queued',
  dropped: '__count__ dropped',
  failedLogins: '__count__ failed logins',
} as const;

export type StatusKey = keyof typeof ENGLISH;

function fill(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(/__(\w+)__/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export const englishWords: StatusWords = (key, values) => fill(ENGLISH[key], values);

/** The status words of the node set a node type belongs to (netcast-tcp-in -> netcast-tcp.status.*). */
export function catalogWords(RED: NodeAPI, type: string): StatusWords {
  // request nodes (netcast-tcp-request, netcast-udp-request) are one node set of their own
  const set = type.endsWith('-request') ? 'netcast-request' : type.replace(/-(in|out|endpoint|group)$/, '');
  return (key, values) => {
    const catalogKey = `${set}.status.${key}`;
    let text: string | undefined;
    try {
      text = RED._(catalogKey, values);
    } catch {
      text = undefined;
    }
    // i18next gives the key back when a catalog lacks it
    return typeof text === 'string' && text !== '' && !text.endsWith(catalogKey) ? text : englishWords(key, values);
  };
}

// A status is read at a glance under a node: the first clause of an error sentence (what
// happened), whole words only. The whole sentence, with the fix, is in the debug sidebar and log.
const MAX_SHORT = 72;

/** What happened, from a sentence "what happened; what to do": the part before the first "; ". */
export function shortReason(sentence: string): string {
  const what = sentence.split('; ')[0].trim();
  if (what.length <= MAX_SHORT) return what;
  const cut = what.slice(0, MAX_SHORT);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > MAX_SHORT / 2 ? cut.slice(0, lastSpace) : cut).replace(/[,:;.\s]+$/, '')}…`;
}

/** Rounded up, as a countdown shows it: 4.3 s reads "5 s" until 4 s are left (see ReconnectSchedule). */
function seconds(ms: number, words: StatusWords): string {
  return words('seconds', { n: ms < 1000 ? (ms / 1000).toFixed(1) : Math.ceil(ms / 1000) });
}

function suffix(words: StatusWords, counters?: EndpointCounters): string {
  if (!counters) return '';
  const parts: string[] = [];
  if (counters.queued > 0) parts.push(words('queued', { count: counters.queued }));
  if (counters.dropped > 0) parts.push(words('dropped', { count: counters.dropped }));
  if (counters.authFailures) parts.push(words('failedLogins', { count: counters.authFailures }));
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

function listeningAt(state: Extract<EndpointState, { phase: 'listening' }>): string {
  const port = state.port > 0 ? `:${state.port}` : '';
  return `${port}${state.path ?? ''}` || ':?';
}

/** The status under a node: what the endpoint does, at a glance, in the catalog's language. */
export function statusFor(state: EndpointState, counters?: EndpointCounters, words: StatusWords = englishWords): NodeStatus {
  const extra = suffix(words, counters);
  switch (state.phase) {
    case 'starting':
      return { fill: 'grey', shape: 'ring', text: words('starting') };
    case 'listening': {
      // a server waiting for its first client is healthy: green, like one with clients
      const clients = state.clients === 1 ? words('oneClient') : words('clients', { count: state.clients });
      return { fill: 'green', shape: 'dot', text: `${words('listening', { where: listeningAt(state) })} · ${clients}${extra}` };
    }
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: words('connecting', { target: state.target }) + extra };
    case 'connected':
      // moved: the flow pointed the client at another target than the configured one
      return { fill: 'green', shape: 'dot', text: (state.moved ? words('connectedTo', { target: state.target }) : words('connected')) + extra };
    case 'ready': {
      const text = state.how === 'bound' ? words('bound', { where: state.detail ?? '' }) : state.how === 'joined' ? words('joined', { groups: state.detail ?? '' }) : state.text;
      return { fill: 'green', shape: 'dot', text: text + extra };
    }
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: words('reconnecting', { time: seconds(state.inMs, words) }) + extra };
    case 'waiting':
      return { fill: 'yellow', shape: 'ring', text: (state.for ? words('waitingFor', { what: state.for }) : shortReason(state.reason)) + extra };
    case 'failed':
      return { fill: 'red', shape: 'ring', text: words('error', { reason: shortReason(state.reason) }) };
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: shortReason(state.reason) + extra };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: words('closed') };
  }
}
