import type { TypedEmitter } from '../../transport/typed-emitter';
import type { Node } from './red';

type Listener = (...args: never[]) => void;

/** Some of an endpoint's events and what a node does on each. */
export type EndpointListeners<Events> = { [K in keyof Events]?: Events[K] };

export interface ListenOptions {
  /**
   * Keep listening one event-loop turn after the node closes. Node-RED closes a deploy's flow nodes
   * before its config nodes, so the frames an endpoint's close still emits (a frame waiting for its
   * idle gap) reach the flow.
   */
  lingerOneTurn?: boolean;
}

/**
 * Attaches a node's listeners to its endpoint's events, and detaches every one of them when the
 * node closes: the one place an in node subscribes, so none is left behind on a redeploy.
 */
export function listenToEndpoint<Events extends { [K in keyof Events]: Listener }>(
  node: Node,
  endpoint: TypedEmitter<Events>,
  listeners: EndpointListeners<Events>,
  options: ListenOptions = {},
): void {
  const attached = Object.entries(listeners) as Array<[keyof Events & string, Events[keyof Events & string]]>;
  for (const [event, listener] of attached) endpoint.on(event, listener);
  node.on('close', (_removed: boolean, done: () => void) => {
    const detach = (): void => {
      for (const [event, listener] of attached) endpoint.off(event, listener);
      done();
    };
    if (options.lingerOneTurn) setImmediate(detach);
    else detach();
  });
}
