import type { EndpointCounters, EndpointState } from '../../transport/endpoint-state';
import type { Node, NodeStatus } from './red';
import { englishWords, statusFor, type StatusWords } from './status';

export interface StatusSource {
  readonly state: EndpointState;
  readonly counters: EndpointCounters;
  on(event: 'state', listener: () => void): unknown;
  off(event: 'state', listener: () => void): unknown;
}

// Counters change on every message; the editor only needs to see them a few times a second.
const MIN_INTERVAL_MS = 250;

/** Keeps a flow node's status in step with its endpoint. Returns the function that stops it. */
export function mirrorEndpointStatus(node: Node, source: StatusSource, words: StatusWords = englishWords): () => void {
  let lastText = '';
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;

  const show = (): void => {
    timer = undefined;
    const status: NodeStatus = statusFor(source.state, source.counters, words);
    const key = `${status.fill}|${status.shape}|${status.text}`;
    if (key === lastText) return;
    lastText = key;
    lastAt = Date.now();
    node.status(status);
  };

  const onState = (): void => {
    if (timer) return;
    const wait = MIN_INTERVAL_MS - (Date.now() - lastAt);
    if (wait <= 0) show();
    else timer = setTimeout(show, wait);
  };

  source.on('state', onState);
  show();
  return () => {
    source.off('state', onState);
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
