import { describeBounds, formatSettingValue, type SettingDeclarations } from '@rec/shared';
import type { SettingGroup } from './setting-groups';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text === '' ? "`''`" : `\`${text}\``;
}

/** The README table of a group of settings: variable, default, accepted values, meaning. */
export function settingsTable(declarations: SettingDeclarations): string {
  const rows = Object.values(declarations).map(
    (declared) => `| \`${declared.env}\` | ${code(formatSettingValue(declared.default))} | ${cell(describeBounds(declared))} | ${cell(declared.description)} |`,
  );
  return ['| variable | default | accepted | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

const beginMarker = (group: string) => `<!-- settings:${group}:begin (generated from the declarations: npx rec config --write-docs) -->`;
const endMarker = (group: string) => `<!-- settings:${group}:end -->`;

/** Where a group's generated table sits in a markdown text: [start of content, end of content], or null. */
function sectionBounds(markdown: string, group: string): [number, number] | null {
  const begin = markdown.indexOf(beginMarker(group));
  const end = markdown.indexOf(endMarker(group));
  if (begin < 0 || end < begin) return null;
  return [begin + beginMarker(group).length, end];
}

/** The generated table of `group` as it stands in `markdown` (null when its markers are missing). */
export function documentedTable(markdown: string, group: string): string | null {
  const bounds = sectionBounds(markdown, group);
  return bounds === null ? null : markdown.slice(bounds[0], bounds[1]).trim();
}

/** `markdown` with the generated table of `group` replaced by the one its declarations give. */
export function withGeneratedTable(markdown: string, group: SettingGroup): string {
  const bounds = sectionBounds(markdown, group.name);
  if (bounds === null) throw new Error(`${group.documentedIn} has no "${beginMarker(group.name)}" ... "${endMarker(group.name)}" markers`);
  return `${markdown.slice(0, bounds[0])}\n${settingsTable(group.declarations)}\n${markdown.slice(bounds[1])}`;
}
