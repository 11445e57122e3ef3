// Proves the suite: the real suite (as a user runs it) against every faulty server and every
// conforming oddball. Each fault must be caught on the rule it declares, each oddball must pass,
// and each fault must really show over raw HTTP (the equivalent-mutant guard). Every run is also a
// leak search: the bots hold seeded secrets, the server records every secret it is sent, and none of
// them, nor the tokens, may appear in anything the run wrote.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { FAULTS, type Fault } from '../faulty/catalogue.ts';
import { ODDBALLS } from '../faulty/oddballs.ts';
import { Probe } from '../faulty/probe.ts';
import { ruleById, RULES } from '../rules/catalogue.ts';
import { leaksOf, secretsOfRun, seedSecrets } from './support/leaks.ts';
import { recording } from './support/recording.ts';
import type { Profile } from '../contract/openapi.ts';
import type { AppClass, ReferenceOptions } from '../reference/app.ts';
import { ROOT, runSuite } from './support/run-suite.ts';
import { configFor, startTarget } from './support/servers.ts';

// Workers of each suite run, and targets a run judges at once (one Playwright project pair each).
const WORKERS = process.env.DETECTION_WORKERS || '2';
const BATCH = Number(process.env.DETECTION_BATCH) || 40;
// The whole catalogue is judged at the first seed; the unlisted faults and the oddballs at every seed,
// since generated checks must find them whatever the seed (fixed, so that a red run can be replayed).
const SEEDS = (process.env.DETECTION_SEEDS || '101,202,303').split(',');

interface Outcome { id: string; kind: 'must' | 'should' | 'oddball'; seed: string; budget: string; ok: boolean; detail: string; leaks: string[]; baseline?: boolean }

/** A server on trial, with what it must come to: a failed (MUST) or warned (SHOULD) rule, or a pass. */
interface Trial { id: string; kind: Outcome['kind']; App: AppClass; options: Partial<ReferenceOptions>; profile: Profile; rule?: string; seed: string; budget: string; rules?: string; baseline?: boolean }

/** Shows, over raw HTTP and before any suite run, that a fault really happens (the equivalent-mutant guard). */
async function probed(fault: Fault): Promise<string | true> {
  const target = await startTarget(fault.App, { profile: fault.profile });
  const shows = await fault.probe(new Probe(target.main.url, target.bots, target.otherRegion.url))
    .catch((e: Error) => `the probe itself failed: ${e.message}`);
  await target.close();
  return shows === true ? true : shows || 'the probe does not see the fault: the server behaves correctly (equivalent mutant)';
}

/**
 * Judges a batch of trials of one profile in one suite run: a seeded, recording target each, named in
 * a configuration file whose tokens are environment variables. Every secret of every target is then
 * sought in everything the run wrote.
 */
async function judgeBatch(trials: Trial[]): Promise<Outcome[]> {
  const targets = await Promise.all(trials.map((t) => startTarget(recording(t.App), t.options)));
  const seeded = await Promise.all(targets.map((t) => seedSecrets(t)));
  const { env } = configFor(trials.map((trial, i) => ({ name: trial.id, target: targets[i] })));
  const { profile, seed, budget, rules } = trials[0];
  const run = await runSuite({ env: { ...env, CONFORMANCE_PROFILE: profile, CONFORMANCE_WORKERS: WORKERS, CONFORMANCE_SEED: seed, CONFORMANCE_BUDGET: budget, CONFORMANCE_RULES: rules } });
  await Promise.all(targets.map((t) => t.close()));
  const leaks = leaksOf(run, targets.flatMap((t, i) => secretsOfRun(t, seeded[i])));
  return trials.map((trial) => {
    const report = run.report?.targets.find((t) => t.name === trial.id);
    const notPassed = (report?.rules ?? []).filter((r) => r.status !== 'passed').map((r) => `${r.id}=${r.status}: ${r.reason ?? ''}`);
    const why = report ? notPassed.join(' | ') : `no report of this target (exit ${run.code}): ${run.stderr.slice(0, 500) || run.stdout.slice(-500)}`;
    // A batch's outputs are shared: its leaks are each of its trials' (counted once in the score).
    const mine = leaks;
    const of = { id: trial.id, kind: trial.kind, seed, budget, leaks: mine, baseline: trial.baseline };
    if (trial.kind === 'oddball') {
      const ok = report?.outcome === 'passed';
      return { ...of, ok, detail: ok ? 'passed' : why };
    }
    const status = report?.rules.find((r) => r.id === trial.rule)?.status;
    const expected = trial.kind === 'must' ? 'failed' : 'warning';
    const ok = status === expected && (trial.kind === 'should' || report?.outcome === 'failed');
    return { ...of, ok, detail: ok ? `${trial.rule} ${status}: ${report?.rules.find((r) => r.id === trial.rule)?.reason ?? ''}` : `${trial.rule} is ${status ?? 'absent'}, expected ${expected}; not passed: ${why}` };
  });
}

test('every faulty server is caught on its declared rule, every oddball passes, at every seed', async () => {
  test.setTimeout(25 * 60_000);
  // DETECTION_ONLY=id,id narrows a local rerun; the score is only written for a full run.
  const only = process.env.DETECTION_ONLY?.split(',');
  const pick = <T extends { id: string }>(list: T[]) => list.filter((x) => !only || only.includes(x.id));
  const outcomes: Outcome[] = [];
  const trials: Trial[] = [];
  const [first] = SEEDS;
  // At the other seeds only the checks of the rules the unlisted faults break run (CONFORMANCE_RULES): the generated checks, and those rules' own.
  const unlistedRules = [...new Set(FAULTS.filter((f) => f.unlisted).map((f) => f.rule))].join(',');
  const atSeed = (seed: string) => (seed === first ? {} : { rules: unlistedRules });
  for (const fault of pick(FAULTS)) {
    const kind = ruleById(fault.rule).level === 'MUST' ? 'must' : 'should';
    const shows = await probed(fault);
    // The listed faults are judged by the hand-written checks alone (CONFORMANCE_BUDGET=0): the generated
    // checks can add a failure to a run, never take one away, and the oddballs prove them at every seed.
    const trial = { id: fault.id, kind, App: fault.App, options: { profile: fault.profile }, profile: fault.profile, rule: fault.rule, budget: fault.unlisted ? '' : '0' } as const;
    if (shows !== true) outcomes.push({ id: fault.id, kind, seed: first, budget: trial.budget, ok: false, detail: shows, leaks: [] });
    else for (const seed of fault.unlisted ? SEEDS : [first]) trials.push({ ...trial, seed, ...atSeed(seed) });
  }
  for (const o of pick(ODDBALLS)) for (const seed of SEEDS) trials.push({ id: o.id, kind: 'oddball', App: o.App, options: o.options ?? {}, profile: o.profile, seed, budget: '', ...atSeed(seed) });
  // What the hand-written checks alone make of the unlisted faults (CONFORMANCE_BUDGET=0): reported, not
  // judged, and only on request (DETECTION_BASELINE=1): it costs twenty more targets a run.
  const baseline = pick(FAULTS).filter((f) => f.unlisted && process.env.DETECTION_BASELINE === '1').map((f): Trial => ({ id: f.id, kind: 'must', App: f.App, options: { profile: f.profile }, profile: f.profile, rule: f.rule, seed: first, budget: '0', baseline: true }));
  // One suite run a batch of one profile, seed and budget: the whole catalogue in a few runner invocations.
  const batches: Trial[][] = [];
  for (const group of groupBy([...trials, ...baseline], (t) => `${t.profile} ${t.seed} ${t.budget} ${t.rules}`)) {
    for (let i = 0; i < group.length; i += BATCH) batches.push(group.slice(i, i + BATCH));
  }
  const judged: Outcome[] = [];
  // Where the meta-test's time goes (it is most of npm test's): each suite run, timed.
  const timings: { targets: number; profile: string; seed: string; budget: string; narrowed: boolean; seconds: number }[] = [];
  for (const batch of batches) {
    const started = performance.now();
    judged.push(...await judgeBatch(batch));
    const [{ profile, seed, budget, rules }] = batch;
    timings.push({ targets: batch.length, profile, seed, budget: budget || 'default', narrowed: Boolean(rules), seconds: Math.round((performance.now() - started) / 100) / 10 });
    console.log(`detection: suite run ${timings.length}/${batches.length}: ${JSON.stringify(timings.at(-1))}`);
  }
  outcomes.push(...judged.filter((o) => !o.baseline));
  const handWritten = judged.filter((o) => o.baseline);
  const count = (kind: Outcome['kind'], unlisted?: boolean) => outcomes.filter((o) => o.kind === kind && (unlisted === undefined || unlistedIds.has(o.id) === unlisted));
  const score = (list: Outcome[]) => `${list.filter((o) => o.ok).length}/${list.length}`;
  const falsePositives = count('oddball').filter((o) => !o.ok).length;
  const leaks = [...new Set(judged.flatMap((o) => o.leaks))];
  const missedByHand = handWritten.filter((o) => !o.ok).map((o) => o.id);
  const line = `detected ${score(count('must', false))} listed must (by the hand-written checks), ${score(count('must', true))} unlisted must over ${SEEDS.length} seeds, flagged ${score(count('should'))} should, ` +
    `false positives ${falsePositives}/${count('oddball').length} (${new Set(count('oddball').map((o) => o.id)).size} oddballs over ${SEEDS.length} seeds); ` +
    (handWritten.length ? `the hand-written checks alone miss ${missedByHand.length}/${handWritten.length} unlisted faults; ` : '') +
    `secrets found in outputs ${leaks.length} (${trials.length + baseline.length} targets in ${batches.length} suite runs searched)`;
  console.log(line);
  if (!only) {
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    writeFileSync(join(ROOT, 'reports/detection.json'), JSON.stringify({ score: line, missedByHandWrittenChecks: missedByHand, timings, outcomes, handWritten }, null, 2));
    writeFileSync(join(ROOT, 'reports/detection.txt'), `${line}\n${handWritten.length ? `missed by the hand-written checks alone: ${missedByHand.join(', ')}\n` : ''}`);
  }
  expect(outcomes.filter((o) => !o.ok).map((o) => `${o.id} (seed ${o.seed}): ${o.detail}`)).toEqual([]);
  expect(leaks, 'secrets found in the outputs of the runs').toEqual([]);
});

const unlistedIds = new Set(FAULTS.filter((f) => f.unlisted).map((f) => f.id));

function groupBy<T>(list: T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of list) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

test('every rule of the catalogue is the declared target of at least one faulty server', () => {
  const targeted = new Set(FAULTS.map((f) => f.rule));
  expect(RULES.map((r) => r.id).filter((id) => !targeted.has(id))).toEqual([]);
  expect(FAULTS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(FAULTS.map((f) => f.id)).size).toBe(FAULTS.length);
});
