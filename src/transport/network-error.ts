// The one place that turns errno and TLS codes into sentences a person wiring a flow can act on.

export interface ErrorContext {
  /** what we were doing: "listen", "connect", "send", "bind", "join", "upgrade" */
  action: string;
  host?: string;
  port?: number;
}

import { NetcastError } from '../errors';

/** A socket's failure: `code` is the system's (ECONNREFUSED, EADDRINUSE, ...) or a TLS code. */
export class NetworkError extends NetcastError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, code, { cause });
  }
}

function where(ctx: ErrorContext): string {
  if (ctx.host && ctx.port !== undefined) return `${ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host}:${ctx.port}`;
  if (ctx.port !== undefined) return `port ${ctx.port}`;
  return ctx.host ?? 'the peer';
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

function explainTls(code: string, message: string, ctx: ErrorContext): string | undefined {
  if (TLS_TRUST_CODES.has(code)) {
    return `TLS handshake with ${where(ctx)} failed: its certificate is not trusted (${code}); add the CA that signed it to the TLS configuration, or turn off certificate verification for testing only`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `TLS handshake with ${where(ctx)} failed: its certificate has expired; renew the certificate`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS handshake with ${where(ctx)} failed: the certificate is not for host "${ctx.host ?? ''}"; connect by the name in the certificate or set the server name in the TLS configuration`;
  }
  if (/certificate required|alert number 116|peer did not return a certificate/i.test(message)) {
    return `TLS handshake with ${where(ctx)} failed: a client certificate is required; add a certificate and key to the TLS configuration`;
  }
  if (code.startsWith('ERR_SSL') || /SSL routines|tlsv1 alert|wrong version number/i.test(message)) {
    return `TLS handshake with ${where(ctx)} failed (${message.split('\n')[0]}); check that both sides use TLS and trust each other's certificates`;
  }
  return undefined;
}

function explainErrno(code: string, ctx: ErrorContext): string | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return `port ${ctx.port ?? ''} is in use by another program${ctx.host ? ` on ${ctx.host}` : ''}; stop that program or choose another port`;
    case 'EACCES':
      return ctx.port !== undefined && ctx.port < 1024
        ? `permission denied for port ${ctx.port}: ports below 1024 need special rights; choose a port of 1024 or more`
        : `permission denied to ${ctx.action} on ${where(ctx)}`;
    case 'EADDRNOTAVAIL':
      return `address ${ctx.host ?? ''} is not on this machine; choose one of its addresses, or leave it blank to use all`;
    case 'ECONNREFUSED':
      return `connection refused by ${where(ctx)}; is the device or server listening on that port?`;
    case 'ENOTFOUND':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return `cannot resolve host "${ctx.host ?? ''}"; check the host name or the DNS settings`;
    case 'EAI_AGAIN':
      return `cannot resolve host "${ctx.host ?? ''}" right now (DNS did not answer); check the network or DNS server`;
    case 'ETIMEDOUT':
    case 'ERR_NETCAST_CONNECT_TIMEOUT':
      return `no answer from ${where(ctx)} in time; check the address, the cable and any firewall`;
    case 'ECONNRESET':
      return `connection reset by ${where(ctx)}`;
    case 'EPIPE':
      return `${where(ctx)} closed the connection while data was being sent`;
    case 'EHOSTUNREACH':
      return `host ${ctx.host ?? ''} cannot be reached; check the address and the network route`;
    case 'ENETUNREACH':
      return `network of ${ctx.host ?? 'the destination'} cannot be reached from this machine; check the address and routes`;
    case 'ENETDOWN':
      return `the network interface is down`;
    case 'EMSGSIZE':
      return `message too large for one datagram; send less than the limit or split it`;
    case 'ENODEV':
      return `network interface not found; check the interface name`;
    case 'EINVAL':
      return `invalid address or option for ${ctx.action} on ${where(ctx)}`;
    default:
      return undefined;
  }
}

/** Wraps any socket error in a NetworkError whose message is one plain sentence. */
export function explainNetworkError(err: unknown, ctx: ErrorContext): NetworkError {
  if (err instanceof NetworkError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
  const text = explainTls(code, message, ctx) ?? explainErrno(code, ctx) ?? `${ctx.action} ${where(ctx)} failed: ${message}`;
  return new NetworkError(text, code || 'ERR_NETCAST', err);
}
