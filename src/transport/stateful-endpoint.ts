import type { EndpointState } from './endpoint-state';
import { TypedEmitter } from './typed-emitter';

type Listener = (...args: never[]) => void;

/** The events every endpoint has: `state` (its EndpointState or counters changed) and `error`. */
export interface StateEvents {
  state: () => void;
  error: (err: Error) => void;
}

/**
 * What every endpoint (TCP, UDP, multicast, WebSocket) does with its state: starts as `starting`,
 * tells its listeners each change through `state`, and on a failure that stops it says why in the
 * state and in an `error` event, in that order.
 */
export abstract class StatefulEndpoint<Events extends StateEvents & { [K in keyof Events]: Listener }> extends TypedEmitter<Events> {
  private current: EndpointState = { phase: 'starting' };

  get state(): EndpointState {
    return this.current;
  }

  protected setState(state: EndpointState): void {
    this.current = state;
    this.announce('state');
  }

  /** The endpoint cannot work (bad address, port taken, socket error): `failed`, then `error`. */
  protected fail(err: Error): void {
    this.setState({ phase: 'failed', reason: err.message });
    this.announce('error', err);
  }

  // Events extends StateEvents, so these two events take exactly these arguments; the compiler
  // cannot see that through the generic.
  private announce(event: keyof StateEvents, ...args: unknown[]): void {
    (this.emit as unknown as (event: string, ...args: unknown[]) => boolean).call(this, event, ...args);
  }
}
