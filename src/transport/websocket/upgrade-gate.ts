import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export type ServerAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; user: string; password: string };

/** Why an upgrade is turned away: the HTTP status the client gets and a sentence for the flow. */
export interface Refusal {
  status: number;
  reason: string;
  /** a wrong or missing token or password (these answers are slowed down per address) */
  authFailed?: boolean;
  /** the response body; the status text when not given */
  message?: string;
  headers?: Record<string, string>;
}

export interface GateOptions {
  auth: ServerAuth;
  /** allowed Origin header values; empty allows any (and clients that send none) */
  origins: readonly string[];
}

/**
 * The checks made before a request becomes a WebSocket: nothing is accepted, and no socket is
 * handed to the flow, until the origin and the credentials are right.
 */
export class UpgradeGate {
  private readonly origins: ReadonlySet<string>;

  constructor(private readonly options: GateOptions) {
    this.origins = new Set(options.origins.map(normaliseOrigin));
  }

  check(request: IncomingMessage): Refusal | undefined {
    return this.checkOrigin(request) ?? this.checkAuth(request);
  }

  private checkOrigin(request: IncomingMessage): Refusal | undefined {
    const origin = request.headers.origin;
    // Browsers always send Origin; programs usually do not and are not what the list guards against.
    if (this.origins.size === 0 || origin === undefined) return undefined;
    if (this.origins.has(normaliseOrigin(origin))) return undefined;
    return { status: 403, reason: `origin ${origin} is not in the allowed origins list` };
  }

  private checkAuth(request: IncomingMessage): Refusal | undefined {
    const { auth } = this.options;
    if (auth.kind === 'none') return undefined;
    if (auth.kind === 'bearer') {
      const offered = bearerToken(request);
      if (offered !== undefined && sameSecret(offered, auth.token)) return undefined;
      return {
        status: 401,
        reason: offered === undefined ? 'no bearer token was sent' : 'the bearer token is wrong',
        authFailed: true,
        headers: { 'WWW-Authenticate': 'Bearer' },
      };
    }
    const offered = basicCredentials(request);
    const knownUser = offered !== undefined && sameSecret(offered.user, auth.user);
    if (offered && knownUser && sameSecret(offered.password, auth.password)) return undefined;
    // An unknown user name is not repeated: it is often a password typed into the wrong field.
    const wrong = knownUser ? `the user name or password for "${auth.user}" is wrong` : 'the user name or password is wrong (an unknown user name, not shown)';
    return {
      status: 401,
      reason: offered ? wrong : 'no user name and password were sent',
      authFailed: true,
      headers: { 'WWW-Authenticate': 'Basic realm="netcast", charset="UTF-8"' },
    };
  }
}

/** Authorization: Bearer <token>, or ?access_token=<token> for browsers, which cannot set headers. */
function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match) return match[1];
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('access_token');
  return query ?? undefined;
}

function basicCredentials(request: IncomingMessage): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// Hashing first makes the comparison constant-time whatever the lengths.
function sameSecret(offered: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(offered), digest(expected));
}

function normaliseOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** Answers the upgrade request with an HTTP error and closes it: the client never gets a socket. */
export function refuseUpgrade(socket: Duplex, status: number, headers: Record<string, string> = {}, message?: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = message ?? STATUS_CODES[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('error', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
