// One run of the mutation test's test (npm run mutation, stryker.config.json): the conformance suite,
// strict, against the embedded reference of each profile, as Stryker has mutated it. Each run has report
// and state folders of its own (Stryker runs two at once in one sandbox). Exit 0 only when both verdicts
// are `passed`: a mutant the suite lets pass survives; anything else is the suite noticing it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

for (const profile of ['default', '2020-03-10']) {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-mutation-'));
  try {
    spawnSync(join('node_modules', '.bin', 'playwright'), ['test', '--max-failures=1'], {
      stdio: 'ignore',
      env: {
        ...process.env,
        CI: '1',
        CONFORMANCE_STRICT: '1',
        CONFORMANCE_PROFILE: profile,
        CONFORMANCE_REPORT_DIR: join(dir, 'reports'),
        CONFORMANCE_STATE_DIR: join(dir, 'state'),
      },
    });
    const report = join(dir, 'reports', 'conformance.json');
    const outcome = existsSync(report)
      ? (JSON.parse(readFileSync(report, 'utf8')) as { outcome: string }).outcome
      : 'no verdict';
    if (outcome !== 'passed') {
      console.log(`${profile}: ${outcome}`);
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
