import type { TcpClientEndpoint } from '../tcp/tcp-client';
import type { TcpSessionInfo } from '../tcp/tcp-session';
import { TypedEmitter } from '../typed-emitter';
import { RequestCorrelator, type Answer, type MatchRule, type RequestSettings } from './correlator';
import { RequestError } from './request-error';

export interface Peer {
  address: string;
  port: number;
}

export type TcpAnswerCallback = (err: RequestError | undefined, answer?: Answer, peer?: Peer) => void;

export interface TcpRequestChannelEvents {
  /** a frame that answered no request */
  unmatched: (frame: Buffer, peer: Peer) => void;
}

/**
 * Requests over one TCP client connection: a correlator fed with that connection's frames and
 * told when it opens and closes. A request made while the client is known to be down (its last
 * attempt failed, the next is scheduled) fails at once instead of waiting for a timeout.
 */
export class TcpRequestChannel extends TypedEmitter<TcpRequestChannelEvents> {
  readonly correlator: RequestCorrelator;
  private sessionId?: string;
  private lastPeer?: Peer;
  /** we dropped the connection after a next-frame timeout: what is queued waits for the next one */
  private resyncing = false;
  private resyncClosed = false;
  private readonly onFrames = (session: TcpSessionInfo, frames: Buffer[]): void => {
    if (session.id === this.sessionId) this.correlator.frames(frames);
  };
  private readonly onOpen = (session: TcpSessionInfo): void => {
    if (session.id !== this.client.sessionInfo?.id) return; // a pooled sibling's connection
    this.sessionId = session.id;
    this.resyncing = false;
    this.lastPeer = { address: session.remoteAddress, port: session.remotePort };
    this.correlator.connected();
  };
  private readonly onClose = (session: TcpSessionInfo, reason: string): void => {
    if (session.id !== this.sessionId) return;
    this.sessionId = undefined;
    const err = new RequestError('ERR_NETCAST_REQUEST_CONNECTION_LOST', `the connection to ${this.client.target} closed (${reason}) before the answer came`);
    this.correlator.disconnected(err);
    if (this.resyncing) this.resyncClosed = true;
    else this.correlator.failAll(err);
  };
  private wasReconnecting = false;
  private readonly onState = (): void => {
    const state = this.client.state;
    // once per wait: the countdown (each second) and counter changes repeat the state while it lasts
    const entered = state.phase === 'reconnecting' && !this.wasReconnecting;
    this.wasReconnecting = state.phase === 'reconnecting';
    if (!entered || this.sessionId !== undefined) return;
    if (this.resyncClosed) {
      this.resyncClosed = false; // the close we asked for: the queue waits for the next connection
      return;
    }
    this.resyncing = false;
    this.correlator.failAll(new RequestError('ERR_NETCAST_REQUEST_NOT_CONNECTED', `${this.client.target} is not reachable (${state.reason}); requests fail until it is`));
  };

  constructor(
    private readonly client: TcpClientEndpoint,
    rule: MatchRule,
    queueLimit: number,
  ) {
    super();
    this.correlator = new RequestCorrelator(rule, queueLimit, {
      write: (bytes) => this.client.sendFramed(bytes),
      unmatched: (frame) => this.emit('unmatched', frame, this.peer),
      desynced: () => this.resync(),
    });
    client.on('frames', this.onFrames).on('open', this.onOpen).on('close', this.onClose).on('state', this.onState);
    const session = client.sessionInfo;
    if (session && client.connected) this.onOpen(session);
  }

  get peer(): Peer {
    return this.lastPeer ?? { address: this.client.host, port: this.client.port };
  }

  get pending(): number {
    return this.correlator.pending;
  }

  /** `done` is called exactly once; throws when the request cannot even be queued. */
  request(payload: Buffer, settings: RequestSettings, done: TcpAnswerCallback): void {
    const state = this.client.state;
    if (state.phase === 'reconnecting' && !this.resyncing) {
      throw new RequestError('ERR_NETCAST_REQUEST_NOT_CONNECTED', `${this.client.target} is not reachable (${state.reason}); the next attempt is in ${Math.ceil(state.inMs / 100) / 10} s`);
    }
    // a payload the endpoint's framing cannot carry fails here, before it queues
    const wire = this.client.encode(payload);
    this.correlator.request(payload, settings, (err, answer) => done(err, answer, this.peer), wire);
  }

  close(): void {
    this.client.off('frames', this.onFrames).off('open', this.onOpen).off('close', this.onClose).off('state', this.onState);
    this.correlator.close();
  }

  private resync(): void {
    if (this.sessionId === undefined) return;
    this.resyncing = true;
    this.client.endSession(undefined, true);
  }
}
