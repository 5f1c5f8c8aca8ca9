import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, displaySettingValue, formatSettingValue, readSettings } from '@rec/shared';
import type { Command, CommandIo } from '../command';
import { REPO_ROOT } from '../repo-root';
import { ROLES, crossServiceViolations, type Role } from './cross-service-constraints';
import { SETTING_GROUPS } from './setting-groups';
import { withGeneratedTable } from './settings-markdown';

const USAGE = `usage: rec config [--group <name>] [--json]
       rec config --check [--roles actor,joiner,learner,parameter-server[,simulator]]
       rec config --write-docs

Every setting: its variable, default and the value in effect in this environment (* = set here).
  --group <name>   only one group: ${SETTING_GROUPS.map((group) => group.name).join(', ')}
  --json           as JSON
  --check          validate every group and the constraints between services run from this environment
                   (default roles: the four services); exit 1 naming each violation
  --write-docs     regenerate the settings tables in README.md and services/simulator/README.md`;

interface SettingRow {
  group: string;
  variable: string;
  default: string;
  value: string;
  set: boolean;
  description: string;
}

function rowsOf(environment: NodeJS.ProcessEnv, groupName: string | undefined): { rows: SettingRow[]; errors: string[] } {
  const rows: SettingRow[] = [];
  const errors: string[] = [];
  for (const group of SETTING_GROUPS) {
    if (groupName !== undefined && group.name !== groupName) continue;
    let values: Record<string, unknown> = {};
    try {
      values = readSettings(group.declarations, environment);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(`${group.name}: ${error.message}`);
    }
    for (const [key, declared] of Object.entries(group.declarations)) {
      rows.push({
        group: group.name,
        variable: declared.env,
        default: formatSettingValue(declared.default),
        value: key in values ? displaySettingValue(declared, values[key]) : `(invalid: ${declared.kind === 'string' && declared.secret === true ? '***' : (environment[declared.env] ?? '')})`,
        set: environment[declared.env] !== undefined,
        description: declared.description,
      });
    }
  }
  return { rows, errors };
}

function printTable(rows: SettingRow[], io: CommandIo): void {
  const shown = (text: string) => (text === '' ? "''" : text);
  const widths = {
    variable: Math.max('variable'.length, ...rows.map((row) => row.variable.length)),
    default: Math.max('default'.length, Math.min(28, Math.max(...rows.map((row) => shown(row.default).length)))),
    value: Math.max('in effect'.length, Math.min(28, Math.max(...rows.map((row) => shown(row.value).length + 2)))),
  };
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      const readBy = SETTING_GROUPS.find((candidate) => candidate.name === group)?.readBy;
      io.out(`\n${group} (read by ${readBy})`);
      io.out(`  ${'variable'.padEnd(widths.variable)}  ${'default'.padEnd(widths.default)}  ${'in effect'.padEnd(widths.value)}  meaning`);
    }
    const value = `${shown(row.value)}${row.set ? ' *' : ''}`;
    io.out(`  ${row.variable.padEnd(widths.variable)}  ${shown(row.default).padEnd(widths.default)}  ${value.padEnd(widths.value)}  ${row.description}`);
  }
}

function parseRoles(text: string | undefined): Role[] {
  if (text === undefined) return ['actor', 'joiner', 'learner', 'parameter-server'];
  const roles = text.split(',').map((role) => role.trim()).filter(Boolean);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) throw new ConfigError(`unknown role(s) ${unknown.join(', ')} (known: ${ROLES.join(', ')})`);
  return roles as Role[];
}

function writeDocs(io: CommandIo): number {
  const files = [...new Set(SETTING_GROUPS.map((group) => group.documentedIn))];
  for (const file of files) {
    const absolute = path.join(REPO_ROOT, file);
    let markdown = fs.readFileSync(absolute, 'utf8');
    for (const group of SETTING_GROUPS.filter((candidate) => candidate.documentedIn === file)) markdown = withGeneratedTable(markdown, group);
    fs.writeFileSync(absolute, markdown);
    io.out(`rec config: wrote the settings tables of ${file}`);
  }
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'every setting, its default and the value in effect; --check validates across services',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        group: { type: 'string' },
        json: { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        roles: { type: 'string' },
        'write-docs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (values['write-docs']) return writeDocs(io);
    if (values.group !== undefined && !SETTING_GROUPS.some((group) => group.name === values.group)) {
      io.err(`rec config: unknown group "${values.group}" (known: ${SETTING_GROUPS.map((group) => group.name).join(', ')})`);
      return 2;
    }
    if (values.check) {
      const roles = parseRoles(values.roles);
      const { errors } = rowsOf(io.environment, undefined);
      const relevant = errors.filter((error) => error.startsWith('simulator:') === false || roles.includes('simulator'));
      // A group that does not validate cannot be checked against others: report it and stop.
      if (relevant.length > 0) {
        for (const error of relevant) io.err(`rec config: ${error}`);
        return 1;
      }
      const violations = crossServiceViolations(io.environment, roles);
      for (const violation of violations) io.err(`rec config: ${violation.name}: ${violation.message}`);
      if (violations.length > 0) return 1;
      io.out(`rec config: every setting is valid and consistent across ${roles.join(', ')}`);
      return 0;
    }
    const { rows, errors } = rowsOf(io.environment, values.group);
    if (values.json) io.out(JSON.stringify(rows, null, 2));
    else printTable(rows, io);
    for (const error of errors) io.err(`rec config: ${error}`);
    return errors.length > 0 ? 1 : 0;
  },
};
