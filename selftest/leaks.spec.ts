// The leak search (selftest/support/leaks.ts) is the instrument behind every "no secret in any
// output" verdict of the self-tests: it must find a secret in each form it seeks, at any place of any
// file, zipped or not, and nothing in what holds only part of one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { formsSought, leaksOf } from './support/leaks.ts';
import type { SuiteRun } from './support/run-suite.ts';
import { scratchDir } from './support/scratch.ts';

/** A finished run whose report folder holds `files` and whose terminal printed `terminal`. */
function runWith(files: Record<string, string | Uint8Array>, terminal = ''): SuiteRun {
  const reportDir = scratchDir('leak-search-report');
  for (const [name, body] of Object.entries(files)) writeFileSync(join(reportDir, name), body);
  return {
    code: 1,
    signal: null,
    stdout: terminal,
    stderr: '',
    reportDir,
    stateDir: scratchDir('leak-search-state'),
    timeline: [],
  };
}

for (const secret of ['Pw+/seeded?&=0123abcd', 'pässwörd-ünïcödé-\u{1F511}-x']) {
  test(`the leak search finds ${JSON.stringify(secret)} in each form it seeks, at any offset of any file, and in a zip`, () => {
    const files: Record<string, string | Uint8Array> = {};
    const forms = [...formsSought(secret)];
    // Each form alone in a file, after 0 to 4 characters of other text (every alignment of the index).
    forms.forEach(([, form], i) => {
      files[`form-${i}.txt`] = `${'xyz{"'.slice(0, i % 5)}${form}" and more`;
    });
    // The base64 of a longer text holding the secret, at each byte alignment, as an attachment is.
    for (const pad of [0, 1, 2])
      files[`base64-${pad}.txt`] = Buffer.from(`${'ab'.slice(0, pad)}${secret} trailing`).toString('base64');
    files['report.zip'] = zipSync({ 'inner.json': Buffer.from(JSON.stringify({ body: secret })) });
    files['clean.txt'] = `${secret.slice(0, 7)} ${secret.slice(1)} ${secret.slice(0, -1)}`;
    const found = leaksOf(runWith(files, `terminal ${secret}`), [secret]);
    const places = found.map((leak) => leak.slice(0, leak.lastIndexOf(': ')).split('/').at(-1));
    expect(places.sort()).toEqual(
      [
        'terminal',
        ...forms.map((_, i) => `form-${i}.txt`),
        ...[0, 1, 2].map((pad) => `base64-${pad}.txt`),
        'report.zip!inner.json',
      ].sort(),
    );
    expect(found.join('\n')).not.toContain(secret);
  });
}

test('the leak search finds nothing in outputs that hold no secret of the run', () => {
  const secret = 'tokenvalue-0123456789';
  const other = 'tokenvalue-9876543210';
  expect(leaksOf(runWith({ 'a.txt': other, 'b.txt': Buffer.from(other).toString('base64') }, other), [secret])).toEqual(
    [],
  );
});
