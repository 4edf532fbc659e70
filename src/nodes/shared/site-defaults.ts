// Defaults an admin sets in settings.js, declared through registerType's `settings` option so the
// editor gets them too (RED.settings.<name>, used as the dialog's defaults and placeholders).
// A node uses one when its own field is blank; a value typed into the node always wins.
//
// Node-RED requires each setting name to start with the node type in camel case
// (netcast-tcp-endpoint -> netcastTcpEndpoint...), see @node-red/runtime lib/settings.js.
import { isBlank } from './config-values';
import { FIELD_TABLES } from './field-tables';

type Config = Record<string, unknown>;

export interface SiteSetting {
  /** the node's config property the setting is the default for */
  field: string;
  /** appended to the camel-cased type: netcastTcpEndpoint + MaxFrame */
  suffix: string;
  /** the built-in default, also what the editor shows when settings.js does not set it */
  value: number;
  min: number;
  max: number;
  integer: boolean;
  /**
   * A core setting (settings.js of the core network nodes) used when the netcast one is not set,
   * in the core's unit: the field's value is core value / perField (milliseconds -> seconds: 1000).
   */
  core?: { name: string; perField: number };
}

/** Per config-node type, from the fields whose table row names a setting (field-tables.ts). */
export const SITE_SETTINGS: Readonly<Record<string, readonly SiteSetting[]>> = Object.fromEntries(
  Object.entries(FIELD_TABLES)
    .map(([type, fields]): [string, SiteSetting[]] => [
      type,
      Object.values(fields).flatMap((field) =>
        (field.kind === 'integer' || field.kind === 'number') && field.site !== undefined && field.value !== undefined
          ? [{ field: field.key, suffix: field.site, value: field.value, min: field.min, max: field.max, integer: field.kind === 'integer', ...(field.core ? { core: field.core } : {}) }]
          : [],
      ),
    ])
    .filter(([, settings]) => settings.length > 0),
);

/** Node-RED's rule (normaliseNodeTypeName): netcast-tcp-endpoint -> netcastTcpEndpoint. */
export function camelType(type: string): string {
  const words = type.replace(/[^a-zA-Z0-9]/g, ' ').trim().split(/ +/);
  return words.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1))).join('');
}

export function settingName(type: string, setting: SiteSetting): string {
  return camelType(type) + setting.suffix;
}

/** Whether a node field is one an admin default fills when it is blank. */
export function isSiteField(type: string, field: string): boolean {
  return (SITE_SETTINGS[type] ?? []).some((setting) => setting.field === field);
}

/**
 * registerType(type, constructor, { settings: registeredSettings(type, RED.settings) }): the value
 * is what the editor shows when settings.js does not set the netcast setting (the core setting's,
 * converted, when that one is set and usable; else the built-in).
 */
export function registeredSettings(type: string, settings: Record<string, unknown> = {}): Record<string, { value: number; exportable: true }> {
  const out: Record<string, { value: number; exportable: true }> = {};
  for (const setting of SITE_SETTINGS[type] ?? []) {
    out[settingName(type, setting)] = { value: coreValue(setting, settings) ?? setting.value, exportable: true };
  }
  return out;
}

/** The core setting behind `setting`, converted to the field's unit; undefined when unset or unusable. */
function coreValue(setting: SiteSetting, settings: Record<string, unknown>): number | undefined {
  if (!setting.core) return undefined;
  const raw = settings[setting.core.name];
  const value = typeof raw === 'number' ? raw / setting.core.perField : NaN;
  if (!Number.isFinite(value) || value < setting.min || value > setting.max) return undefined;
  return setting.integer ? Math.round(value) : value;
}

/**
 * The config with each blank site-settable field set from settings.js. A setting that is not a
 * usable number is reported through `warn` and skipped, so the built-in default applies.
 */
export function applySiteDefaults(type: string, config: Config, settings: Record<string, unknown>, warn: (message: string) => void): Config {
  const out = { ...config };
  for (const setting of SITE_SETTINGS[type] ?? []) {
    if (!isBlank(out[setting.field])) continue;
    const name = settingName(type, setting);
    const raw = settings[name];
    if (raw === undefined || raw === null) {
      const fromCore = coreValue(setting, settings);
      if (fromCore !== undefined) out[setting.field] = fromCore;
      continue;
    }
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
    const kind = setting.integer ? 'a whole number' : 'a number';
    if (!Number.isFinite(value) || (setting.integer && !Number.isInteger(value)) || value < setting.min || value > setting.max) {
      warn(`settings.js ${name} must be ${kind} from ${setting.min} to ${setting.max} (got ${JSON.stringify(raw)}); using the built-in ${setting.value}`);
      continue;
    }
    out[setting.field] = value;
  }
  return out;
}
