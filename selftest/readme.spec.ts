// The README's rules table is generated from the catalogue; this keeps it current.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { parse } from 'yaml';
import { README, withCurrentTable } from '../tools/rules-table.ts';
import { ROOT } from './support/run-suite.ts';

test('the README holds the rules table of the current catalogue (npm run rules-table -- --write)', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme).toBe(withCurrentTable(readme));
});

test('the CI workflows parse, and the project one runs the README test command', () => {
  const workflows = ['test.yml', 'conformance-gate.example.yml'].map((f) => parse(readFileSync(join(ROOT, '.github/workflows', f), 'utf8')) as { jobs: Record<string, { steps: { run?: string }[] }> });
  const runs = (w: (typeof workflows)[number]) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
  expect(runs(workflows[0])).toContain('npm test');
  expect(runs(workflows[1]).join('\n')).toContain('merge-reports -c node_modules/whatsapp-media-provider-conformance/dist/merge.config.js');
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('\nnpm test\n');
});
