import { EventEmitter } from 'node:events';

type Listener = (...args: never[]) => void;

/** EventEmitter with the event names and listener signatures checked by the compiler. */
export class TypedEmitter<Events extends { [K in keyof Events]: Listener }> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // endpoints legitimately have one listener per attached node; many nodes on one endpoint is fine
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(event: K, listener: Events[K]): this {
    this.emitter.on(event, listener as unknown as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: Events[K]): this {
    this.emitter.off(event, listener as unknown as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.emitter.listenerCount(event);
  }

  protected emit<K extends keyof Events & string>(event: K, ...args: Parameters<Events[K]>): boolean {
    return this.emitter.emit(event, ...args);
  }
}
