/**
 * One declaration per setting: its environment variable, type, default, bounds and a one-line description.
 * The typed config (`SettingValues`), the parsing (`readSettings`), the README tables and `rec config` all
 * come from these declarations, so a setting is written once.
 *
 *   export const ACTOR_SETTINGS = {
 *     maxBatch: setting.int('ACTOR_MAX_BATCH', 256, [1, 4096], 'most requests per forward pass'),
 *   };
 *   type ActorSettings = SettingValues<typeof ACTOR_SETTINGS>;   // { maxBatch: number }
 */

interface SettingBase<T> {
  /** The environment variable, e.g. ACTOR_MAX_BATCH. */
  env: string;
  /** The value when the variable is unset. */
  default: T;
  /** One line for the README table and `rec config`. */
  description: string;
}

export interface IntSetting extends SettingBase<number> {
  kind: 'int';
  min: number;
  max: number;
}

export interface NumberSetting extends SettingBase<number> {
  kind: 'number';
  min: number;
  max: number;
}

export interface BooleanSetting extends SettingBase<boolean> {
  kind: 'boolean';
}

export interface StringSetting extends SettingBase<string> {
  kind: 'string';
  /** A password or key: `rec config` shows whether it is set, never its value. */
  secret?: boolean;
}

export interface ChoiceSetting<C extends string = string> extends SettingBase<C> {
  kind: 'choice';
  choices: readonly C[];
}

/** Comma-separated strings, trimmed, empty entries dropped (e.g. KAFKA_BROKERS). */
export interface StringListSetting extends SettingBase<string[]> {
  kind: 'string-list';
}

/** Comma-separated positive integers, optionally exactly `count` of them (e.g. layer widths). */
export interface IntListSetting extends SettingBase<number[]> {
  kind: 'int-list';
  count?: number;
}

export type Setting = IntSetting | NumberSetting | BooleanSetting | StringSetting | ChoiceSetting | StringListSetting | IntListSetting;

/** A group of settings, keyed by the config field each one fills. */
export type SettingDeclarations = Record<string, Setting>;

/** The typed value of one declared setting. */
export type SettingValue<S extends Setting> = S extends ChoiceSetting<infer C> ? C : S['default'];

/** The typed config a group of declarations reads into. */
export type SettingValues<D extends SettingDeclarations> = { [K in keyof D]: SettingValue<D[K]> };

/** The constructors: one call, one line, per setting. */
export const setting = {
  int: (env: string, defaultValue: number, [min, max]: readonly [number, number], description: string): IntSetting => ({
    kind: 'int',
    env,
    default: defaultValue,
    min,
    max,
    description,
  }),
  number: (env: string, defaultValue: number, [min, max]: readonly [number, number], description: string): NumberSetting => ({
    kind: 'number',
    env,
    default: defaultValue,
    min,
    max,
    description,
  }),
  boolean: (env: string, defaultValue: boolean, description: string): BooleanSetting => ({ kind: 'boolean', env, default: defaultValue, description }),
  string: (env: string, defaultValue: string, description: string): StringSetting => ({ kind: 'string', env, default: defaultValue, description }),
  /** A secret string (empty by default): parsed like a string, never shown. */
  secret: (env: string, description: string): StringSetting => ({ kind: 'string', env, default: '', description, secret: true }),
  choice: <C extends string>(env: string, defaultValue: NoInfer<C>, choices: readonly C[], description: string): ChoiceSetting<C> => ({
    kind: 'choice',
    env,
    default: defaultValue,
    choices,
    description,
  }),
  stringList: (env: string, defaultValue: string[], description: string): StringListSetting => ({
    kind: 'string-list',
    env,
    default: defaultValue,
    description,
  }),
  intList: (env: string, defaultValue: number[], description: string, count?: number): IntListSetting => ({
    kind: 'int-list',
    env,
    default: defaultValue,
    description,
    ...(count === undefined ? {} : { count }),
  }),
};

/** A URL with its password replaced by *** (redis://user:***@host:6379), for anything printed or logged. */
export function redactUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** The value of a declared setting as it may be shown: secrets as *** (or empty), URLs without their password. */
export function displaySettingValue(declared: Setting, value: unknown): string {
  if (declared.kind === 'string' && declared.secret === true) return value === '' ? '' : '***';
  return redactUrlPassword(formatSettingValue(value));
}

/** The default as an operator would type it into the environment ("256,256,64", "true", ""). */
export function formatSettingValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** The accepted values in words: "[0, 1]", "ddqn | random | popularity", "true | false". */
export function describeBounds(declared: Setting): string {
  switch (declared.kind) {
    case 'int':
      return `integer in [${declared.min}, ${declared.max}]`;
    case 'number':
      return `number in [${declared.min}, ${declared.max}]`;
    case 'boolean':
      return 'true | false';
    case 'choice':
      return declared.choices.map((choice) => (choice === '' ? "''" : choice)).join(' | ');
    case 'string-list':
      return 'comma-separated list';
    case 'int-list':
      return declared.count === undefined ? 'comma-separated positive integers' : `${declared.count} comma-separated positive integers`;
    case 'string':
      return 'string';
  }
}
