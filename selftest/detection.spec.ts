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

interface Outcome { id: string; kind: 'must' | 'should' | 'oddball'; ok: boolean; detail: string; leaks: string[] }

/** A server on trial, with what it must come to: a failed (MUST) or warned (SHOULD) rule, or a pass. */
interface Trial { id: string; kind: Outcome['kind']; App: AppClass; options: Partial<ReferenceOptions>; profile: Profile; rule?: string }

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
  const run = await runSuite({ env: { ...env, CONFORMANCE_PROFILE: trials[0].profile, CONFORMANCE_WORKERS: WORKERS } });
  await Promise.all(targets.map((t) => t.close()));
  const leaks = leaksOf(run, targets.flatMap((t, i) => secretsOfRun(t, seeded[i])));
  return trials.map((trial) => {
    const report = run.report?.targets.find((t) => t.name === trial.id);
    const notPassed = (report?.rules ?? []).filter((r) => r.status !== 'passed').map((r) => `${r.id}=${r.status}: ${r.reason ?? ''}`);
    const why = report ? notPassed.join(' | ') : `no report of this target (exit ${run.code}): ${run.stderr.slice(0, 500) || run.stdout.slice(-500)}`;
    // A batch's outputs are shared: its leaks are each of its trials' (counted once in the score).
    const mine = leaks;
    if (trial.kind === 'oddball') {
      const ok = report?.outcome === 'passed';
      return { id: trial.id, kind: trial.kind, ok, leaks: mine, detail: ok ? 'passed' : why };
    }
    const status = report?.rules.find((r) => r.id === trial.rule)?.status;
    const expected = trial.kind === 'must' ? 'failed' : 'warning';
    const ok = status === expected && (trial.kind === 'should' || report?.outcome === 'failed');
    return { id: trial.id, kind: trial.kind, ok, leaks: mine, detail: ok ? `${trial.rule} ${status}` : `${trial.rule} is ${status ?? 'absent'}, expected ${expected}; not passed: ${why}` };
  });
}

test('every faulty server is caught on its declared rule, every oddball passes', async () => {
  test.setTimeout(20 * 60_000);
  // DETECTION_ONLY=id,id narrows a local rerun; the score is only written for a full run.
  const only = process.env.DETECTION_ONLY?.split(',');
  const pick = <T extends { id: string }>(list: T[]) => list.filter((x) => !only || only.includes(x.id));
  const outcomes: Outcome[] = [];
  const trials: Trial[] = [];
  for (const fault of pick(FAULTS)) {
    const kind = ruleById(fault.rule).level === 'MUST' ? 'must' : 'should';
    const shows = await probed(fault);
    if (shows === true) trials.push({ id: fault.id, kind, App: fault.App, options: { profile: fault.profile }, profile: fault.profile, rule: fault.rule });
    else outcomes.push({ id: fault.id, kind, ok: false, detail: shows, leaks: [] });
  }
  for (const o of pick(ODDBALLS)) trials.push({ id: o.id, kind: 'oddball', App: o.App, options: o.options ?? {}, profile: o.profile });
  // One suite run a batch of one profile: the whole catalogue in a few runner invocations.
  const batches: Trial[][] = [];
  for (const profile of new Set(trials.map((t) => t.profile))) {
    const ofProfile = trials.filter((t) => t.profile === profile);
    for (let i = 0; i < ofProfile.length; i += BATCH) batches.push(ofProfile.slice(i, i + BATCH));
  }
  for (const batch of batches) outcomes.push(...await judgeBatch(batch));
  const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind);
  const score = (kind: Outcome['kind']) => `${count(kind).filter((o) => o.ok).length}/${count(kind).length}`;
  const falsePositives = count('oddball').filter((o) => !o.ok).length;
  const leaks = [...new Set(outcomes.flatMap((o) => o.leaks))];
  const line = `detected ${score('must')} must, flagged ${score('should')} should, false positives ${falsePositives}/${count('oddball').length}, ` +
    `secrets found in outputs ${leaks.length} (${trials.length} targets in ${batches.length} suite runs searched)`;
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
