/**
 * The `ws` library, loaded the first time an endpoint is created rather than when Node-RED loads
 * the node set: a Node-RED with no WebSocket endpoint never pays for it (14 files, about 0.3 MB of
 * heap; it is its own copy, Node-RED's editor and core nodes use ws 7). Everything else imports
 * only its types.
 */
type WsLibrary = typeof import('ws');

let library: WsLibrary | undefined;

export function wsLibrary(): WsLibrary {
  // required on first use, not at load (see above): an import would load it with the package
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  library ??= require('ws') as WsLibrary;
  return library;
}
