// Readers for the field groups more than one endpoint type has (field-tables.ts): the send queue
// and a client's reconnect backoff.
import type { BackoffOptions } from '../../transport/backoff';
import type { OverflowPolicy } from '../../transport/bounded-queue';
import { ConfigError } from './config-values';
import { BUFFER_FIELDS, CLIENT_FIELDS, QUEUE_FIELDS } from './field-tables';
import { readField } from './fields';

type Config = Record<string, unknown>;

/** receiveBufferSize and sendBufferSize of a UDP or multicast config node: bytes, blank or 0 = the OS default. */
export function readBufferSizes(config: Config): { receiveBufferSize: number; sendBufferSize: number } {
  return { receiveBufferSize: readField(config, BUFFER_FIELDS.receiveBufferSize), sendBufferSize: readField(config, BUFFER_FIELDS.sendBufferSize) };
}

export function readQueue(config: Config): { queueSize: number; queuePolicy: OverflowPolicy } {
  return { queueSize: readField(config, QUEUE_FIELDS.queueSize), queuePolicy: readField(config, QUEUE_FIELDS.queuePolicy) };
}

/**
 * Reconnect delays (seconds in the editor) as the transport's backoff, with 20 % jitter.
 * @param blankMaxFollowsInitial a blank longest delay is at least the first (TCP: settings.js socketReconnectTime may be over 30 s)
 */
export function readBackoff(config: Config, blankMaxFollowsInitial = false): BackoffOptions {
  const initial = readField(config, CLIENT_FIELDS.reconnectInitial);
  const fallback = CLIENT_FIELDS.reconnectMax.value ?? 30;
  const max = readField(config, CLIENT_FIELDS.reconnectMax, { value: blankMaxFollowsInitial ? Math.max(fallback, initial) : fallback });
  if (max < initial) throw new ConfigError(`Longest reconnect delay (${max} s) is shorter than the first (${initial} s); make it at least as long`);
  return { initialMs: initial * 1000, maxMs: max * 1000, factor: readField(config, CLIENT_FIELDS.reconnectFactor), jitter: 0.2 };
}
