// The one base for errors netcast raises that need no class of their own: a plain sentence that
// names the fix, and a stable code a Catch flow can switch on (msg.error.code). README.md's
// "Error codes" table lists every code; test/unit/error-codes.test.js keeps the two in step.
export class NetcastError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
