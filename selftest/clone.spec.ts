// A clone behaves like the package right after `npm ci`, with no build: its command runs the sources,
// `serve --fault` serves the catalogue's faulty servers, and `npm run conformance` exits with the
// package's codes. Shown on a copy of the repository without dist/, as a fresh clone is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { faultOf } from '../faulty/catalogue.ts';
import { copyOfRepository } from './support/repository.ts';
import { cleanEnv } from './support/run-suite.ts';
import { scratchDir } from './support/scratch.ts';
import { startTarget } from './support/servers.ts';

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, { cwd, env: cleanEnv(env) });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

test('in a clone with nothing built, the command serves --fault list, and npm run conformance exits 1 on a failing target', async () => {
  const clone = copyOfRepository();
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  // npx finds the project's own command in a clone, as it finds the installed package's.
  const listed = await run(clone, 'npx', [
    '--no-install',
    'whatsapp-media-provider-conformance',
    'serve',
    '--fault',
    'list',
  ]);
  expect(listed.code, listed.output).toBe(0);
  expect(listed.output).toMatch(/^masks-secrets +GET-CONFIG-ROUNDTRIP /m);
  const fault = faultOf('POST-VALID-200');
  const target = await startTarget(fault.App);
  const judged = await run(
    clone,
    'npm',
    [
      'run',
      'conformance',
      '--',
      '--target',
      target.main.url,
      '--bot-id',
      target.bots.botA,
      '--rule',
      'POST-VALID-200',
      '--budget',
      '0',
      '--report-dir',
      scratchDir('reports'),
    ],
    { API_TOKEN: target.bots.tokenA, CONFORMANCE_STATE_DIR: scratchDir('state') },
  );
  await target.close();
  expect(judged.code, judged.output).toBe(1);
  expect(judged.output).toContain('POST-VALID-200');
  // Its Reproduce line speaks the command's own flags.
  expect(judged.output).toContain('Reproduce: npx whatsapp-media-provider-conformance --seed');
});
