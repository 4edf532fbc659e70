import type { Node, NodeMessage } from './red';

/**
 * What node.error and done(err) get for an error a person reads: the sentence itself, as text,
 * so the debug sidebar and the log show it plainly (an Error object shows there as a collapsed
 * name, message, code, cause and stack), with err.code as its own property, which Node-RED
 * copies to msg.error.code for Catch nodes; msg.error.message is the sentence.
 */
// eslint-disable-next-line @typescript-eslint/no-wrapper-object-types -- a String object on purpose (errorReport)
export type ErrorReport = string | (String & { readonly code?: string });

export function errorReport(err: Error): ErrorReport {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' && typeof code !== 'number') return err.message;
  // a String object: Node-RED takes its text, and its own `code` property, as it would an Error's
  const report = new String(err.message);
  Object.defineProperty(report, 'code', { value: String(code), enumerable: true });
  return report as ErrorReport;
}

/** node.error(err, msg) with the sentence as text: Catch nodes get msg.error.message and code. */
export function reportError(node: Node, err: Error, msg: NodeMessage = {}): void {
  node.error(errorReport(err), msg);
}
