import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../repo-root';
import { SETTING_GROUPS } from './setting-groups';
import { documentedTable, settingsTable, withGeneratedTable } from './settings-markdown';

describe('settings documentation', () => {
  for (const group of SETTING_GROUPS) {
    it(`${group.documentedIn} lists the ${group.name} settings exactly as declared`, () => {
      const markdown = fs.readFileSync(path.join(REPO_ROOT, group.documentedIn), 'utf8');
      const documented = documentedTable(markdown, group.name);
      assert.notEqual(documented, null, `${group.documentedIn} has no generated table for ${group.name}`);
      assert.equal(documented, settingsTable(group.declarations), `${group.documentedIn} is out of date: run npx rec config --write-docs`);
    });
  }

  it('every variable is declared once across all groups', () => {
    const variables = SETTING_GROUPS.flatMap((group) => Object.values(group.declarations).map((declared) => declared.env));
    assert.deepEqual(variables.filter((name, index) => variables.indexOf(name) !== index), []);
  });

  it('regenerates a table in place and leaves the text around it alone', () => {
    const group = SETTING_GROUPS[0]!;
    const stale = `intro\n<!-- settings:${group.name}:begin (generated from the declarations: npx rec config --write-docs) -->\n| old |\n<!-- settings:${group.name}:end -->\noutro\n`;
    const fresh = withGeneratedTable(stale, group);
    assert.ok(fresh.startsWith('intro\n') && fresh.endsWith('\noutro\n'));
    assert.equal(documentedTable(fresh, group.name), settingsTable(group.declarations));
    assert.throws(() => withGeneratedTable('no markers', group), /markers/);
  });
});
