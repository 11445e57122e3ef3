// Proves the suite against servers it was not written for: a self-test a batch of the detection plan
// (selftest/support/detection.ts), each one suite run, so that npm test's workers share them with the
// other self-tests; selftest/detection-score.spec.ts sums them up once all have run.
import { expect, test } from '@playwright/test';
import { FAULTS } from '../faulty/catalogue.ts';
import { RULES } from '../rules/catalogue.ts';
import { BATCH_TIMEOUT_MS, judge, plan } from './support/detection.ts';

test.describe.configure({ mode: 'parallel' });

for (const batch of plan()) {
  const how = `seed ${batch.seed}${batch.budget === '0' ? ', hand-written checks only' : ''}${batch.rules ? `, the checks of ${batch.rules.split(',').length} rules` : ''}`;
  test(`detection, ${batch.what} ${batch.part} (${batch.profile} profile, ${batch.trials.length} targets, ${how}): the faults caught on their rules, the oddballs passed, no secret in any output`, async () => {
    test.setTimeout(BATCH_TIMEOUT_MS);
    const result = await judge(batch);
    console.log(`detection: ${batch.key}: ${result.targets} targets in ${result.seconds} s`);
    if (!batch.trials.some((t) => t.baseline))
      expect(result.outcomes.filter((o) => !o.ok).map((o) => `${o.id} (seed ${o.seed}): ${o.detail}`)).toEqual([]);
    expect(result.leaks, 'secrets found in the outputs of the run').toEqual([]);
  });
}

test('every rule of the catalogue is the declared target of at least one faulty server', () => {
  const targeted = new Set(FAULTS.map((f) => f.rule));
  expect(RULES.map((r) => r.id).filter((id) => !targeted.has(id))).toEqual([]);
  expect(FAULTS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(FAULTS.map((f) => f.id)).size).toBe(FAULTS.length);
});
