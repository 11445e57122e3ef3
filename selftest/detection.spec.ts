// Proves the suite: the real suite (as a user runs it) against every faulty server and every
// conforming oddball. Each fault must be caught on the rule it declares, each oddball must pass,
// and each fault must really show over raw HTTP (the equivalent-mutant guard). Every run is also a
// leak search: the bots hold seeded secrets, the server records every secret it is sent, and none of
// them, nor the tokens, may appear in anything the run wrote.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { FAULTS, type Fault } from '../faulty/catalogue.ts';
import { ODDBALLS, type Oddball } from '../faulty/oddballs.ts';
import { Probe } from '../faulty/probe.ts';
import { ruleById, RULES } from '../rules/catalogue.ts';
import { leaksOf, secretsOfRun, seedSecrets } from './support/leaks.ts';
import { recording } from './support/recording.ts';
import { ROOT, notPassed, runSuite, ruleStatus, type SuiteRun } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';

// Suite runs at once, and workers in each: measured on 2 cores (see the README).
const PARALLEL_RUNS = Number(process.env.DETECTION_PARALLEL) || 2;
const WORKERS = process.env.DETECTION_WORKERS || '2';

interface Outcome { id: string; kind: 'must' | 'should' | 'oddball'; ok: boolean; detail: string; leaks: string[] }

/** A suite run against a seeded, recording target; the leaks are every secret found in its outputs. */
async function judged(target: Target, env: Record<string, string | undefined>): Promise<{ run: SuiteRun; leaks: string[] }> {
  const seeded = await seedSecrets(target);
  const run = await runSuite({ env: { ...target.env, ...env, CONFORMANCE_WORKERS: WORKERS } });
  await target.close();
  return { run, leaks: leaksOf(run, secretsOfRun(target, seeded)) };
}

async function judgeFault(fault: Fault): Promise<Outcome> {
  const level = ruleById(fault.rule).level;
  const kind = level === 'MUST' ? 'must' : 'should';
  const probeTarget = await startTarget(fault.App, { profile: fault.profile });
  const shows = await fault.probe(new Probe(probeTarget.main.url, probeTarget.bots, probeTarget.otherRegion.url))
    .catch((e: Error) => `the probe itself failed: ${e.message}`);
  await probeTarget.close();
  if (shows !== true) return { id: fault.id, kind, ok: false, detail: shows || 'the probe does not see the fault: the server behaves correctly (equivalent mutant)', leaks: [] };
  const { run, leaks } = await judged(await startTarget(recording(fault.App), { profile: fault.profile }), {});
  const status = ruleStatus(run, fault.rule);
  const expected = level === 'MUST' ? 'failed' : 'warning';
  const ok = status === expected && (level === 'SHOULD' || run.code !== 0);
  return { id: fault.id, kind, ok, leaks, detail: ok ? `${fault.rule} ${status}` : `${fault.rule} is ${status ?? 'absent'} (exit ${run.code}), expected ${expected}; not passed: ${notPassed(run).join(' | ') || run.stderr.slice(0, 500)}` };
}

async function judgeOddball(oddball: Oddball): Promise<Outcome> {
  const { run, leaks } = await judged(await startTarget(recording(oddball.App), oddball.options), { CONFORMANCE_PROFILE: oddball.profile });
  const mustFailures = (run.report?.rules ?? []).filter((r) => r.level === 'MUST' && r.status === 'failed');
  const ok = run.code === 0 && run.report?.outcome === 'passed' && mustFailures.length === 0;
  return { id: oddball.id, kind: 'oddball', ok, leaks, detail: ok ? 'passed' : `exit ${run.code}; ${notPassed(run).join(' | ') || run.stderr.slice(0, 500)}` };
}

async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

test('every faulty server is caught on its declared rule, every oddball passes', async () => {
  test.setTimeout(20 * 60_000);
  // DETECTION_ONLY=id,id narrows a local rerun; the score is only written for a full run.
  const only = process.env.DETECTION_ONLY?.split(',');
  const pick = <T extends { id: string }>(list: T[]) => list.filter((x) => !only || only.includes(x.id));
  const jobs: (() => Promise<Outcome>)[] = [...pick(FAULTS).map((f) => () => judgeFault(f)), ...pick(ODDBALLS).map((o) => () => judgeOddball(o))];
  const outcomes = await pool(jobs, PARALLEL_RUNS, (job) => job());
  const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind);
  const score = (kind: Outcome['kind']) => `${count(kind).filter((o) => o.ok).length}/${count(kind).length}`;
  const falsePositives = count('oddball').filter((o) => !o.ok).length;
  const leaks = outcomes.flatMap((o) => o.leaks.map((l) => `${o.id}: ${l}`));
  const line = `detected ${score('must')} must, flagged ${score('should')} should, false positives ${falsePositives}/${count('oddball').length}, secrets found in outputs ${leaks.length} (${outcomes.length} runs searched)`;
  console.log(line);
  if (!only) {
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    writeFileSync(join(ROOT, 'reports/detection.json'), JSON.stringify({ score: line, outcomes }, null, 2));
    writeFileSync(join(ROOT, 'reports/detection.txt'), `${line}\n`);
  }
  expect(outcomes.filter((o) => !o.ok).map((o) => `${o.id}: ${o.detail}`)).toEqual([]);
  expect(leaks, 'secrets found in the outputs of the runs').toEqual([]);
});

test('every rule of the catalogue is the declared target of at least one faulty server', () => {
  const targeted = new Set(FAULTS.map((f) => f.rule));
  expect(RULES.map((r) => r.id).filter((id) => !targeted.has(id))).toEqual([]);
  expect(FAULTS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(FAULTS.map((f) => f.id)).size).toBe(FAULTS.length);
});
