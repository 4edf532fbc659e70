// Config versions. Every netcast node saves `configVersion` (the editor's defaults put the current
// one on new nodes); a saved config without it is version 0. When a node starts, its config is
// upgraded through the steps of its type, one version at a time, before anything reads it, so an
// older saved flow keeps working unchanged. The editor does the same when an old node's dialog
// opens (nodes/shared/config-version.html) and stores the new version when it is saved.
//
// A new field, or a new node type, needs nothing here: add it to field-tables.ts and version 1
// fills its default into older flows. To change a saved property in a later release: add a step
// to the type's list in STEPS (it gets a version-N config and returns a version-N+1 one, never
// dropping what it does not understand), bump the editor's `configVersion` default for that type,
// and add an old flow to test/node/config-version.test.js.
import type { Node, NodeAPI, NodeDef } from './red';
import { isBlank } from './config-values';
import { FIELD_TABLES } from './field-tables';
import { applySiteDefaults } from './site-defaults';

export const CONFIG_VERSION = 'configVersion';

type Config = Record<string, unknown>;
export type UpgradeStep = (config: Config) => Config;

/** The properties of each type at version 1, with the runtime's defaults (field-tables.ts). */
export const FIELDS = FIELD_TABLES;

/**
 * Version 0 -> 1, for any type: values as the editor typed them become the values they always
 * meant (numeric text -> numbers, "true"/"false" -> booleans), and properties the flow does not
 * have get the default the runtime already used for them. Text that is not a number, and any
 * property this table does not know, is kept as it is: the node still names it in its error.
 */
function normaliseV0(type: string): UpgradeStep {
  const fields = FIELDS[type];
  return (config) => {
    const out: Config = { ...config };
    for (const [key, field] of Object.entries(fields)) {
      const raw = out[key];
      switch (field.kind) {
        case 'integer':
        case 'number':
          // a field an admin can default stays blank, so settings.js still applies to it
          if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw.trim()))) out[key] = Number(raw.trim());
          else if (isBlank(raw) && field.value !== undefined && !field.site && !field.blankStays) out[key] = field.value;
          else if (raw === undefined && field.site) out[key] = '';
          break;
        case 'boolean':
          if (typeof raw === 'string' && /^\s*(true|false)\s*$/i.test(raw)) out[key] = raw.trim().toLowerCase() === 'true';
          else if (isBlank(raw)) out[key] = field.value;
          break;
        case 'choice':
          if (isBlank(raw)) out[key] = field.value;
          break;
        case 'text':
          if (raw === undefined || raw === null || (field.blankIsDefault && isBlank(raw))) out[key] = field.value;
          break;
        case 'list':
          break;
      }
    }
    return out;
  };
}

/** An in node with events has a second output; a hand-written flow may say events but not outputs. */
function outputsFromEvents(config: Config): Config {
  if (!isBlank(config.outputs) && typeof config.outputs === 'number') return config;
  return { ...config, outputs: config.events === true ? 2 : 1 };
}

/** "239.1.2.3, 232.1.1.1@10.0.0.5" (accepted by hand-written flows) -> [{group, source}], as the editor keeps it. */
function groupsAsList(config: Config): Config {
  const raw = config.groups;
  if (typeof raw !== 'string') return raw === undefined || raw === null ? { ...config, groups: [] } : config;
  const groups = raw
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((part) => {
      const [group, source = ''] = part.split('@');
      return { group, source };
    });
  return { ...config, groups };
}

/** Upgrade headers written as an object ({"X-Api-Key": "..."}, as HTTP nodes take them) -> [{name, value}]. */
function headersAsList(config: Config): Config {
  const raw = config.headers;
  if (raw === undefined || raw === null) return { ...config, headers: [] };
  if (Array.isArray(raw) || typeof raw !== 'object') return config;
  const headers = Object.entries(raw as Record<string, unknown>).map(([name, value]) => ({ name, value: value === undefined || value === null ? '' : String(value) }));
  return { ...config, headers };
}

const then = (...steps: UpgradeStep[]): UpgradeStep => (config) => steps.reduce((acc, step) => step(acc), config);

/** What version 1 does besides normaliseV0, for the types that need more. */
const V1_EXTRA: Readonly<Record<string, { before?: UpgradeStep; after?: UpgradeStep }>> = {
  'netcast-tcp-in': { after: outputsFromEvents },
  'netcast-multicast-group': { after: groupsAsList },
  'netcast-websocket-endpoint': { before: headersAsList },
  'netcast-websocket-in': { after: outputsFromEvents },
};

/** Per type (every type of field-tables.ts): STEPS[type][n] upgrades a version-n config to version n+1. */
export const STEPS: Readonly<Record<string, readonly UpgradeStep[]>> = Object.fromEntries(
  Object.keys(FIELDS).map((type) => {
    const { before, after } = V1_EXTRA[type] ?? {};
    const steps = [before, normaliseV0(type), after].filter((step): step is UpgradeStep => step !== undefined);
    return [type, [then(...steps)]];
  }),
);

export function currentConfigVersion(type: string): number {
  return STEPS[type]?.length ?? 0;
}

/** The version a saved config says it has: missing is 0; "1" (hand-edited) is 1. */
export function savedConfigVersion(config: Config): number | undefined {
  const raw = config[CONFIG_VERSION];
  if (isBlank(raw)) return 0;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

export interface UpgradeResult {
  config: Config;
  /** the version the flow saved (0 when it had none) */
  from: number;
  /** the version the config has now */
  to: number;
  /** set when the flow was saved by a newer netcast, or the version is not a number */
  problem?: string;
}

/** Runs the type's steps from the saved version to the current one. Never changes `config`. */
export function upgradeConfig(type: string, config: Config): UpgradeResult {
  const steps = STEPS[type] ?? [];
  const current = steps.length;
  const from = savedConfigVersion(config);
  if (from === undefined) {
    return { config: { ...config }, from: current, to: current, problem: `configVersion ${JSON.stringify(config[CONFIG_VERSION])} is not a version number; the config is used as it is` };
  }
  if (from > current) {
    return { config: { ...config }, from, to: from, problem: `this node was saved by a newer netcast (config version ${from}, this one knows up to ${current}); update @netcast/node-red-transports` };
  }
  let upgraded: Config = { ...config };
  for (let version = from; version < current; version++) upgraded = steps[version](upgraded);
  upgraded[CONFIG_VERSION] = current;
  return { config: upgraded, from, to: current };
}

/** What a node reports about its config: `node.netcastConfig`. */
export interface ConfigReport {
  /** version the flow saved (0 = none) */
  from: number;
  /** version the node runs with */
  to: number;
  /** the upgraded config with admin defaults filled in: what the node actually reads */
  config: NodeDef;
}

export type ConfiguredNode = Node & { netcastConfig?: ConfigReport };

/**
 * The first line of every netcast node constructor after createNode: the saved config upgraded to
 * the current version, blank fields filled from settings.js, recorded on the node as
 * `netcastConfig`. Problems (a newer flow, a bad setting) are warnings; the node still starts.
 */
export function nodeConfig(RED: NodeAPI, node: ConfiguredNode, def: NodeDef): NodeDef {
  const upgraded = upgradeConfig(def.type, def);
  if (upgraded.problem) node.warn(upgraded.problem);
  const warn = (message: string): void => node.warn(message);
  const config = applySiteDefaults(def.type, upgraded.config, RED.settings ?? {}, warn) as NodeDef;
  node.netcastConfig = { from: upgraded.from, to: upgraded.to, config };
  if (upgraded.from < upgraded.to) {
    node.debug?.(`config version ${upgraded.from} upgraded to ${upgraded.to}; open and save the node to store it`);
  }
  return config;
}
