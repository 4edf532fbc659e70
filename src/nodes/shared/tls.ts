import type { TlsMaterial } from '../../transport/tls-material';
import { ConfigError, readBoolean } from './config-values';
import type { NodeAPI, NodeDef, TlsConfigNode } from './red';

/** Certificates from the core tls-config node the config names, when `useTls` is on. */
export function tlsMaterialFrom(RED: NodeAPI, def: NodeDef): TlsMaterial | undefined {
  if (!readBoolean(def, 'useTls', false)) return undefined;
  const tlsNode = typeof def.tls === 'string' ? (RED.nodes.getNode(def.tls) as TlsConfigNode | null) : null;
  if (!tlsNode) throw new ConfigError('TLS is on but no TLS configuration is selected; choose one, or turn TLS off');
  if (tlsNode.valid === false) throw new ConfigError('the selected TLS configuration could not load its certificate or key; open it and fix the files');
  const material: Record<string, unknown> = {};
  tlsNode.addTLSOptions(material);
  return material as TlsMaterial;
}
