// Node-RED's settings.webSocketNodeVerifyClient, the site-wide hook admins use to protect every
// WebSocket listener of the core nodes, asked the way core asks it (through ws's verifyClient):
//   sync:  verifyClient(info) -> truthy to accept; falsy answers 401
//   async: verifyClient(info, callback) (declared with two parameters), callback(result, code?,
//          message?, headers?); a refusal answers `code` (default 401) with `message`
// info = { origin, secure, req }: the Origin header, whether the connection is TLS, the request.
import type { IncomingMessage } from 'node:http';
import type { Refusal } from './upgrade-gate';

export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: IncomingMessage;
}
export type VerifyClientCallback = (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;
export type VerifyClient = ((info: VerifyClientInfo) => unknown) | ((info: VerifyClientInfo, callback: VerifyClientCallback) => void);

export class VerifyClientError extends Error {
  readonly code = 'ERR_NETCAST_VERIFY_CLIENT';
  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`settings.js webSocketNodeVerifyClient threw (${why}), so the connection was refused with 500; fix the function in settings.js`);
  }
}

/** Resolves with a refusal, or undefined when the hook accepts the request. */
export function askVerifyClient(verify: VerifyClient, request: IncomingMessage): Promise<Refusal | undefined> {
  const socket = request.socket as IncomingMessage['socket'] & { authorized?: boolean; encrypted?: boolean };
  const info: VerifyClientInfo = {
    origin: request.headers.origin,
    secure: Boolean(socket.authorized || socket.encrypted),
    req: request,
  };
  const refusal = (code: number | undefined, message?: string, headers?: Record<string, string>): Refusal => ({
    status: code && code >= 400 && code <= 599 ? code : 401,
    reason: `refused by webSocketNodeVerifyClient in settings.js`,
    message,
    headers,
  });
  return new Promise((resolve, reject) => {
    try {
      if (verify.length >= 2) {
        (verify as (info: VerifyClientInfo, callback: VerifyClientCallback) => void)(info, (result, code, message, headers) => {
          resolve(result ? undefined : refusal(code, message, headers));
        });
        return;
      }
      resolve((verify as (info: VerifyClientInfo) => unknown)(info) ? undefined : refusal(401));
    } catch (err) {
      reject(new VerifyClientError(err));
    }
  });
}
