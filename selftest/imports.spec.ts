// The import rules of .dependency-cruiser.cjs (`npm run lint:imports`) hold: in a copy of the project,
// one import that crosses the layering fails the check naming its rule, and a table that would let two
// folders import each other is refused before anything is cruised.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { copyOfRepository } from './support/repository.ts';
import { ROOT } from './support/run-suite.ts';

const CONFIG = '.dependency-cruiser.cjs';

/** A copy of the project with its import rules, to change one file of. */
function copyWithRules(): string {
  const copy = copyOfRepository();
  copyFileSync(join(ROOT, CONFIG), join(copy, CONFIG));
  return copy;
}

function lintImports(root: string): { status: number | null; output: string } {
  const depcruise = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [depcruise, '--config', CONFIG, '--output-type', 'err-long', '.'], {
    cwd: root,
    encoding: 'utf8',
  });
  // Its colours stay out of what is compared.
  return { status: run.status, output: `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

function edit(file: string, change: (text: string) => string): void {
  const text = readFileSync(file, 'utf8');
  const changed = change(text);
  expect(changed).not.toBe(text);
  writeFileSync(file, changed);
}

test('an import the layering forbids (client/ importing report/) fails the import check, naming its rule', () => {
  const copy = copyWithRules();
  const unchanged = lintImports(copy);
  expect(unchanged.status, unchanged.output).toBe(0);

  edit(join(copy, 'client/http.ts'), (text) => `import '../report/decide.ts';\n${text}`);
  const run = lintImports(copy);
  expect(run.status, run.output).not.toBe(0);
  expect(run.output).toContain('error layer-client: client/http.ts → report/decide.ts');
  expect(run.output).toContain('client/ may import contract/, rules/');
});

test('a table of allowed imports with a cycle between folders is refused', () => {
  const copy = copyWithRules();
  edit(join(copy, CONFIG), (text) =>
    text.replace("state: ['rules', 'settings'],", "state: ['rules', 'settings', 'client'],"),
  );
  const run = lintImports(copy);
  expect(run.status, run.output).not.toBe(0);
  expect(run.output).toContain('folders in a cycle: state → client → state');
});
