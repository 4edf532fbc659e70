// The slice of the Node-RED runtime API these adapters use. Kept here, typed, so the adapters
// do not depend on @types/node-red or on `any`.
import type { ErrorReport } from './error-report';

export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
/** ErrorReport (error-report.ts): the sentence as text, carrying its code */
export type DoneFunction = (err?: Error | ErrorReport) => void;

export interface Node<Credentials = Record<string, string>> {
  readonly id: string;
  readonly type: string;
  name?: string;
  credentials?: Credentials;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  on(event: 'close', listener: () => void): void;
  send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
  status(status: NodeStatus | Record<string, never>): void;
  error(err: Error | ErrorReport, msg?: NodeMessage): void;
  warn(message: string): void;
  log(message: string): void;
  debug?(message: string): void;
}

/** The core `tls-config` node, as far as we use it. */
export interface TlsConfigNode extends Node {
  valid?: boolean;
  verify?: boolean;
  addTLSOptions(options: Record<string, unknown>): void;
}

export interface HttpRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** set by Node-RED's admin authentication once a token (or the anonymous default) is accepted */
  user?: unknown;
  headers: Record<string, string | string[] | undefined>;
}
export interface HttpResponse {
  json(body: unknown): void;
  status(code: number): HttpResponse;
  set(field: string, value: string): HttpResponse;
  send(body: string): void;
}
export type HttpHandler = (req: HttpRequest, res: HttpResponse, next?: () => void) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: object, config: NodeDef): void;
    registerType(type: string, constructor: (...args: never[]) => void, options?: Record<string, unknown>): void;
    getNode(id: string): Node | null;
  };
  /** only through adminRoute (shared/admin-route.ts), which adds the admin-auth guard */
  httpAdmin: Record<'get' | 'post' | 'put' | 'delete', (path: string, ...handlers: HttpHandler[]) => void>;
  /** the app HTTP-in nodes are served from (httpNodeRoot) */
  httpNode?: { get(path: string, ...handlers: HttpHandler[]): void };
  auth: { needsPermission(permission: string): HttpHandler };
  settings: Record<string, unknown>;
  log?: { warn(message: string): void };
  /** Node-RED's own HTTP(S) server (WebSocket endpoints share it) */
  server?: import('node:http').Server;
  _(key: string, substitutions?: Record<string, unknown>): string;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}
