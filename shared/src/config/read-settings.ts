import { makeExactValidator, type ValidatorSpec } from 'envalid';
import { bool, intIn, numIn, parsePositiveIntList, positiveIntList, readEnv, str } from './env';
import type { Setting, SettingDeclarations, SettingValues } from './setting';

/** Comma-separated strings, trimmed, empty entries dropped. */
const stringList = makeExactValidator<string[]>((input) => input.split(',').map((part) => part.trim()).filter(Boolean));

/** The envalid validator of one declared setting. */
function validatorOf(declared: Setting): ValidatorSpec<unknown> {
  const spec = { desc: declared.description };
  switch (declared.kind) {
    case 'int':
      return intIn(declared.min, declared.max)({ ...spec, default: declared.default });
    case 'number':
      return numIn(declared.min, declared.max)({ ...spec, default: declared.default });
    case 'boolean':
      return bool({ ...spec, default: declared.default });
    case 'string':
      return str({ ...spec, default: declared.default });
    case 'choice':
      return str({ ...spec, default: declared.default, choices: declared.choices });
    case 'string-list':
      return stringList({ ...spec, default: declared.default });
    case 'int-list': {
      const count = declared.count;
      if (count === undefined) return positiveIntList({ ...spec, default: declared.default });
      const exactly = makeExactValidator<number[]>((input) => {
        const values = parsePositiveIntList(input);
        if (values.length !== count) throw new Error(`must name ${count} comma-separated positive integers, got "${input}"`);
        return values;
      });
      return exactly({ ...spec, default: declared.default });
    }
  }
}

/**
 * Reads a group of declared settings from the environment, validated: a missing or bad value throws a
 * ConfigError naming every offending variable. Returns the typed config, keyed as declared.
 */
export function readSettings<D extends SettingDeclarations>(declarations: D, environment: NodeJS.ProcessEnv = process.env): SettingValues<D> {
  const specs: Record<string, ValidatorSpec<unknown>> = {};
  for (const declared of Object.values(declarations)) specs[declared.env] = validatorOf(declared);
  const env = readEnv(specs, environment) as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [key, declared] of Object.entries(declarations)) values[key] = env[declared.env];
  return values as SettingValues<D>;
}
