// The detection score, once every self-test has run (a project that depends on them all,
// selftest/playwright.config.ts): what the batches of selftest/detection.spec.ts found, summed up.
import { expect, test } from '@playwright/test';
import { plan, results, score } from './support/detection.ts';

test('the detection score: every batch of this run judged, every fault caught, no false positive, no secret found', () => {
  const batches = plan();
  const { found, missing } = results(batches);
  expect(missing, 'batches of this run that wrote no result').toEqual([]);
  const line = score(batches, found);
  console.log(line);
  expect(
    found
      .flatMap((r) => r.outcomes)
      .filter((o) => !o.ok && !o.baseline)
      .map((o) => o.id),
  ).toEqual([]);
  expect(found.flatMap((r) => r.leaks)).toEqual([]);
});
