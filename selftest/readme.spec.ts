// The README's rules table is generated from the catalogue; this keeps it current.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { README, withCurrentTable } from '../tools/rules-table.ts';

test('the README holds the rules table of the current catalogue (npm run rules-table -- --write)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(withCurrentTable(readme));
});
