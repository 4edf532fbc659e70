// One typed table per node type states each config field once: its kind, default, range, the
// label its errors name, and whether an admin can default it in settings.js. The runtime readers
// (readField), the config-version defaults (config-version.ts), the admin settings
// (site-defaults.ts) and the editor's defaults (checked by test/unit/field-tables.test.js) all
// come from it. Adding a field: one line in its type's table (field-tables.ts) plus its catalog
// entries (label and, for a site field, nothing else: the setting name is derived).
import { ConfigError, readBoolean, readChoice, readInteger, readNumber, readString } from './config-values';

type Config = Record<string, unknown>;

interface Common {
  /** the error text's name for the field ("Max connections"); the editor's label is the catalog's */
  label: string;
  /** set by defineFields: the config property */
  key: string;
}

export interface NumberField extends Common {
  kind: 'integer' | 'number';
  /** what a blank field means; none: the user must fill it in */
  value?: number;
  min: number;
  max: number;
  /**
   * settings.js can default it: the suffix after the camel-cased type (netcastTcpEndpoint +
   * MaxConnections). A blank field then stays blank when a flow is upgraded, so the setting applies.
   */
  site?: string;
  /**
   * With `site`: the core network nodes' settings.js value used when the netcast one is not set,
   * in the core's unit (the field's value is core value / perField; milliseconds -> seconds: 1000).
   */
  core?: { name: string; perField: number };
  /** a blank field is left blank when a saved flow is upgraded (blank and the default mean the same) */
  blankStays?: true;
}
export interface BooleanField extends Common {
  kind: 'boolean';
  value: boolean;
}
export interface ChoiceField<T extends string = string> extends Common {
  kind: 'choice';
  value: T;
  choices: readonly T[];
}
/** free text; only a missing value takes the default (a blank one is meaningful) */
export interface TextField extends Common {
  kind: 'text';
  value: string;
  /** a blank value means the default too (and becomes it when a saved flow is upgraded) */
  blankIsDefault?: boolean;
}
export interface ListField extends Common {
  kind: 'list';
}
export type Field = NumberField | BooleanField | ChoiceField | TextField | ListField;

type Spec<F extends Field> = Omit<F, 'key'>;
type Range = Pick<NumberField, 'min' | 'max'> & Partial<Pick<NumberField, 'site' | 'core' | 'blankStays'>>;

export const integer = (label: string, range: Range, value?: number): Spec<NumberField> => ({ kind: 'integer', label, value, ...range });
export const number = (label: string, range: Range, value?: number): Spec<NumberField> => ({ kind: 'number', label, value, ...range });
export const bool = (label: string, value: boolean): Spec<BooleanField> => ({ kind: 'boolean', label, value });
export const choice = <T extends string>(label: string, choices: readonly T[], value: T): Spec<ChoiceField<T>> => ({ kind: 'choice', label, choices, value });
export const text = (label = '', value = '', blankIsDefault?: true): Spec<TextField> => ({ kind: 'text', label, value, ...(blankIsDefault ? { blankIsDefault } : {}) });
export const list = (label = ''): Spec<ListField> => ({ kind: 'list', label });

type Specs = Record<string, Spec<Field>>;
export type Fields<S extends Specs> = { readonly [K in keyof S]: S[K] & { key: K & string } };

/** A type's table: every entry gets its own key. */
export function defineFields<S extends Specs>(specs: S): Fields<S> {
  const out: Record<string, Field> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = { ...spec, key } as Field;
  return out as Fields<S>;
}

/** The field read from a saved config: checked against the table, a bad value named in a ConfigError. */
export function readField(config: Config, field: NumberField, override?: Partial<Pick<NumberField, 'min' | 'max' | 'value'>>): number;
export function readField(config: Config, field: BooleanField): boolean;
export function readField<T extends string>(config: Config, field: ChoiceField<T>): T;
export function readField(config: Config, field: TextField): string;
export function readField(config: Config, field: Field, override: Partial<Pick<NumberField, 'min' | 'max' | 'value'>> = {}): unknown {
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const rule = { label: field.label, min: override.min ?? field.min, max: override.max ?? field.max, fallback: override.value ?? field.value };
      return field.kind === 'integer' ? readInteger(config, field.key, rule) : readNumber(config, field.key, rule);
    }
    case 'boolean':
      return readBoolean(config, field.key, field.value, field.label);
    case 'choice':
      return readChoice(config, field.key, field.label, field.choices, field.value);
    case 'text':
      return readString(config, field.key, field.value);
    case 'list':
      throw new ConfigError(`${field.key} is a list; read it with its own reader`);
  }
}

/** A field in seconds (the editor's unit), in milliseconds (the transport's). */
export function readMs(config: Config, field: NumberField): number {
  return Math.round(readField(config, field) * 1000);
}
