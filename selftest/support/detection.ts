// The detection meta-test's plan, its judge and its score (selftest/detection.spec.ts runs a test a
// batch, selftest/detection-score.spec.ts sums them up). The real suite, compiled as the npm package
// ships it (selftest/support/compiled-suite.ts), against every faulty server and every conforming
// oddball: each fault must be caught on the rule it declares, each oddball must pass, and each fault
// must really show over raw HTTP (the equivalent-mutant guard). Every run is also a leak search: the
// bots hold seeded secrets, the server records every secret it is sent, and none of them, nor the
// tokens, may appear in anything the run wrote.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS, type Fault } from '../../faulty/catalogue.ts';
import { ODDBALLS } from '../../faulty/oddballs.ts';
import { Probe } from '../../faulty/probe.ts';
import { ruleById, RULES, type RuleId } from '../../rules/catalogue.ts';
import { ROBUST } from '../../fixtures/sending.ts';
import type { Profile } from '../../contract/openapi.ts';
import type { AppClass, ReferenceOptions } from '../../reference/app.ts';
import type { RuleResult } from '../../report/report-model.ts';
import { leaksOf, secretsOfRun, seedSecrets } from './leaks.ts';
import { recording } from './recording.ts';
import { ROOT, runSuite } from './run-suite.ts';
import { configFor, startTarget } from './servers.ts';

// Workers of each suite run, and about how many targets a run judges: each batch is a self-test of its
// own, so that npm test's two workers share them with every other self-test.
const WORKERS = process.env.DETECTION_WORKERS || '2';
const BATCH = Number(process.env.DETECTION_BATCH) || 20;
// The whole catalogue is judged at the first seed; the unlisted faults and the oddballs at every seed,
// since generated checks must find them whatever the seed (fixed, so that a red run can be replayed).
// One in npm test since #33 judged the listed faults on every check (a second cost it 165 s of its
// self-tests' time, 11m05s in all); `npm run detection -- --seeds 3` (101, 202, 303) for more.
export const SEEDS = (process.env.DETECTION_SEEDS || '101').split(',');
// DETECTION_ONLY=id,id narrows a local rerun; the score is only written for a full run.
export const ONLY = process.env.DETECTION_ONLY?.split(',');
// DETECTION_LATENCY_MS: every server on trial answers that much later (a distant target: the verdict must not change).
const LATENCY_MS = Number(process.env.DETECTION_LATENCY_MS) || 0;
// A batch's time limit grows with the distance: at 50 ms a batch of unlisted faults runs past a fixed
// ten minutes, every answer of every request being that much later.
export const BATCH_TIMEOUT_MS = 10 * 60_000 * (1 + LATENCY_MS / 25);
// Set once by the self-tests' config: a batch's outcomes count only in the run that wrote them.
const RUN = process.env.DETECTION_RUN ?? 'local';
const BATCHES_DIR = join(ROOT, 'reports/detection');

export interface Outcome {
  id: string;
  kind: 'must' | 'should' | 'oddball';
  unlisted: boolean;
  seed: string;
  budget: string;
  ok: boolean;
  detail: string;
  baseline?: boolean;
}

/** A server on trial, with what it must come to: a failed (MUST) or warned (SHOULD) rule, or a pass. */
interface Trial {
  id: string;
  kind: Outcome['kind'];
  unlisted: boolean;
  App: AppClass;
  options: Partial<ReferenceOptions>;
  profile: Profile;
  rule?: string;
  fault?: Fault;
  baseline?: boolean;
}

/** One suite run: targets of one profile, seed, budget and rule selection, judged at once. */
export interface Batch {
  key: string;
  what: string;
  part: number;
  profile: Profile;
  seed: string;
  budget: string;
  rules?: string;
  /** Each fault's target is judged on its own rule only (its rules in the configuration file), as a user reruns one failure. */
  ownRule?: boolean;
  trials: Trial[];
}

export interface BatchResult {
  run: string;
  key: string;
  targets: number;
  seconds: number;
  outcomes: Outcome[];
  leaks: string[];
}

const pick = <T extends { id: string }>(list: T[]) => list.filter((x) => !ONLY || ONLY.includes(x.id));
const RULE_ORDER = new Map(RULES.map((r, i) => [r.id, i]));

/** Every batch of a detection run, known when the tests are collected. */
export function plan(): Batch[] {
  const batches: Batch[] = [];
  const add = (
    what: string,
    trials: Trial[],
    settings: Omit<Batch, 'key' | 'what' | 'part' | 'trials' | 'profile'>,
    narrow?: (chunk: Trial[]) => string,
  ) => {
    for (const profile of ['default', '2020-03-10'] as const) {
      const mine = trials.filter((t) => t.profile === profile);
      // Batches of even size, none of a few targets: 63 targets are three runs of 21, not a fourth of
      // 3 that pays a runner's and two workers' start for little.
      const size = Math.ceil(mine.length / Math.max(1, Math.round(mine.length / BATCH)));
      for (let i = 0; i < mine.length; i += size) {
        const chunk = mine.slice(i, i + size);
        const part = i / size + 1;
        const key =
          `${what} ${profile} seed ${settings.seed} ${part}${LATENCY_MS ? ` latency ${LATENCY_MS}` : ''}`.replace(
            /\W+/g,
            '-',
          );
        batches.push({
          key,
          what,
          part,
          profile,
          ...settings,
          ...(narrow ? { rules: narrow(chunk) } : {}),
          trials: chunk,
        });
      }
    }
  };
  const [first] = SEEDS;
  const faultTrial = (f: Fault): Trial => ({
    id: f.id,
    kind: ruleById(f.rule).level === 'MUST' ? 'must' : 'should',
    unlisted: Boolean(f.unlisted),
    App: f.App,
    options: { profile: f.profile },
    profile: f.profile,
    rule: f.rule,
    fault: f,
  });
  // The listed faults are judged by every hand-written check (CONFORMANCE_BUDGET=0): each must fail its
  // own rule, and no rule its fault does not explain (one fault, one rule); the full suite, generated
  // checks and all, runs against the unlisted faults and the oddballs below. Ordered by rule.
  const listed = pick(FAULTS)
    .filter((f) => !f.unlisted)
    .sort((a, b) => RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)!)
    .map(faultTrial);
  add('listed faults', listed, { seed: first, budget: '0' });
  // The unlisted faults and the oddballs: the whole suite at the first seed; at the others each unlisted
  // fault only on the checks of its own rule (the generated checks among them), and the oddballs on
  // the checks of every rule an unlisted fault breaks.
  // The robustness rules are left out of the narrowing: every check decides them on the way, so naming
  // them would collect the whole suite; the generated checks cover them, and find a 5xx by themselves.
  const unlistedRules = [...new Set(FAULTS.filter((f) => f.unlisted).map((f) => f.rule))]
    .filter((r) => !ROBUST.includes(r as RuleId))
    .join(',');
  const open = [
    ...pick(FAULTS)
      .filter((f) => f.unlisted)
      .map(faultTrial),
    ...pick(ODDBALLS).map(
      (o): Trial => ({
        id: o.id,
        kind: 'oddball',
        unlisted: false,
        App: o.App,
        options: o.options ?? {},
        profile: o.profile,
      }),
    ),
  ];
  for (const seed of SEEDS)
    add(
      seed === first ? 'whole suite' : 'generated checks',
      open,
      seed === first ? { seed, budget: '' } : { seed, budget: '', ownRule: true },
      seed === first ? undefined : () => unlistedRules,
    );
  // What the hand-written checks alone make of the unlisted faults (CONFORMANCE_BUDGET=0): reported,
  // not judged, and only on request (DETECTION_BASELINE=1): it costs twenty more targets.
  if (process.env.DETECTION_BASELINE === '1')
    add(
      'hand-written checks alone',
      open.filter((t) => t.unlisted).map((t) => ({ ...t, baseline: true })),
      { seed: first, budget: '0' },
    );
  return batches;
}

/** Shows, over raw HTTP and before any suite run, that a fault really happens (the equivalent-mutant guard). */
async function probed(fault: Fault): Promise<string | true> {
  const target = await startTarget(fault.App, { profile: fault.profile });
  const shows = await fault
    .probe(new Probe(target.main.url, target.bots, target.otherRegion.url))
    .catch((e: Error) => `the probe itself failed: ${e.message}`);
  await target.close();
  return shows === true
    ? true
    : shows || 'the probe does not see the fault: the server behaves correctly (equivalent mutant)';
}

/**
 * Judges a batch in one suite run: a seeded, recording target each, named in a configuration file
 * whose tokens are environment variables; then seeks every secret of every target in everything the
 * run wrote. A fault its probe cannot show is an outcome of its own and is not run.
 */
export async function judge(batch: Batch): Promise<BatchResult> {
  const started = performance.now();
  const { seed, budget, rules, profile } = batch;
  const outcomes: Outcome[] = [];
  const trials: Trial[] = [];
  for (const trial of batch.trials) {
    // A fault is probed once, at the first seed it is judged at.
    const shows = trial.fault && seed === SEEDS[0] && !trial.baseline ? await probed(trial.fault) : true;
    if (shows === true) trials.push(trial);
    else
      outcomes.push({
        id: trial.id,
        kind: trial.kind,
        unlisted: trial.unlisted,
        seed,
        budget,
        ok: false,
        detail: shows,
      });
  }
  const targets = await Promise.all(
    trials.map((t) =>
      startTarget(recording(t.App), { ...t.options, ...(LATENCY_MS ? { latencyMs: LATENCY_MS } : {}) }),
    ),
  );
  const seeded = await Promise.all(targets.map((t) => seedSecrets(t)));
  const { env } = configFor(
    trials.map((trial, i) => ({
      name: trial.id,
      target: targets[i],
      // Its own rule, when the batch's rules hold it (a robustness rule is left out of them: see plan()).
      ...(batch.ownRule && trial.rule && (!rules || rules.split(',').includes(trial.rule))
        ? { rules: [trial.rule] }
        : {}),
    })),
  );
  const run = await runSuite({
    env: {
      ...env,
      CONFORMANCE_PROFILE: profile,
      CONFORMANCE_WORKERS: WORKERS,
      CONFORMANCE_SEED: seed,
      CONFORMANCE_BUDGET: budget,
      CONFORMANCE_RULES: rules,
    },
  });
  await Promise.all(targets.map((t) => t.close()));
  const leaks = leaksOf(
    run,
    targets.flatMap((t, i) => secretsOfRun(t, seeded[i])),
  );
  for (const trial of trials) {
    const report = run.report?.targets.find((t) => t.name === trial.id);
    const notPassed = (report?.rules ?? [])
      .filter((r) => r.status !== 'passed' && !r.excluded)
      .map((r) => `${r.id}=${r.status}: ${r.reason ?? ''}`);
    const why = report
      ? notPassed.join(' | ')
      : `no report of this target (exit ${run.code}): ${run.stderr.slice(0, 500) || run.stdout.slice(-500)}`;
    const of = {
      id: trial.id,
      kind: trial.kind,
      unlisted: trial.unlisted,
      seed,
      budget,
      ...(trial.baseline ? { baseline: true } : {}),
    };
    if (trial.kind === 'oddball') {
      const ok = report?.outcome === 'passed';
      outcomes.push({ ...of, ok, detail: ok ? 'passed' : why });
      continue;
    }
    const verdict = report?.rules.find((r) => r.id === trial.rule);
    const expected = trial.kind === 'must' ? 'failed' : 'warning';
    const caught = verdict?.status === expected && (trial.kind === 'should' || report?.outcome === 'failed');
    // One fault, one rule: on every check, it fails (or flags) its own rule and those its failure explains only.
    const blamed = misblamed(trial, report?.rules ?? []);
    const ok = caught && !blamed.length;
    outcomes.push({
      ...of,
      ok,
      detail: ok
        ? `${trial.rule} ${verdict!.status}: ${verdict!.reason ?? ''}`
        : caught
          ? `blamed on rules its fault does not explain: ${blamed.join(' | ')}`
          : `${trial.rule} is ${verdict?.status ?? 'absent'}, expected ${expected}; not passed: ${why}`,
    });
  }
  const result: BatchResult = {
    run: RUN,
    key: batch.key,
    targets: trials.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    outcomes,
    leaks,
  };
  mkdirSync(BATCHES_DIR, { recursive: true });
  writeFileSync(join(BATCHES_DIR, `${batch.key}.json`), JSON.stringify(result, null, 2));
  return result;
}

/**
 * The rules a listed fault failed or flagged beyond its own and those its catalogue entry says its
 * failure explains (Fault.explains): judged on every check, not narrowed (the unlisted faults are
 * found by searches, whose blame driver/divergence decides; they are judged on their rule alone).
 */
function misblamed(trial: Trial, rules: RuleResult[]): string[] {
  if (!trial.fault || trial.unlisted) return [];
  const allowed = new Set<string>([trial.fault.rule, ...Object.keys(trial.fault.explains ?? {})]);
  return rules
    .filter((r) => (r.status === 'failed' || r.status === 'warning') && !allowed.has(r.id))
    .map((r) => `${r.id}=${r.status}: ${r.reason ?? ''}`);
}

/** The batches of this run that wrote their results, and the keys of those that did not. */
export function results(batches: Batch[]): { found: BatchResult[]; missing: string[] } {
  const found: BatchResult[] = [];
  const missing: string[] = [];
  for (const { key } of batches) {
    const file = join(BATCHES_DIR, `${key}.json`);
    const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BatchResult) : undefined;
    if (result?.run === RUN) found.push(result);
    else missing.push(key);
  }
  return { found, missing };
}

/** The score line, and reports/detection.json and .txt for a full run. */
export function score(batches: Batch[], found: BatchResult[]): string {
  const all = found.flatMap((r) => r.outcomes);
  const outcomes = all.filter((o) => !o.baseline);
  const missedByHand = all.filter((o) => o.baseline && !o.ok).map((o) => o.id);
  const handWritten = all.filter((o) => o.baseline).length;
  const count = (kind: Outcome['kind'], unlisted?: boolean) =>
    outcomes.filter((o) => o.kind === kind && (unlisted === undefined || o.unlisted === unlisted));
  const ratio = (list: Outcome[]) => `${list.filter((o) => o.ok).length}/${list.length}`;
  const oddballs = count('oddball');
  const leaks = [...new Set(found.flatMap((r) => r.leaks))];
  // The weakest unlisted fault: caught at how many of the seeds it was judged at (a verdict must not depend on the seed).
  const perFault = new Map<string, { caught: number; seeds: number }>();
  for (const o of count('must', true)) {
    const seen = perFault.get(o.id) ?? { caught: 0, seeds: 0 };
    perFault.set(o.id, { caught: seen.caught + Number(o.ok), seeds: seen.seeds + 1 });
  }
  const weakest = [...perFault].sort(([, a], [, b]) => a.caught / a.seeds - b.caught / b.seeds)[0];
  const line =
    `detected ${ratio(count('must', false))} listed must (on every hand-written check, each failing only its own rule and those it explains), ${ratio(count('must', true))} unlisted must over ${SEEDS.length} seeds` +
    `${weakest ? ` (the weakest, ${weakest[0]}, ${weakest[1].caught}/${weakest[1].seeds})` : ''}${LATENCY_MS ? ` at ${LATENCY_MS} ms latency` : ''}, flagged ${ratio(count('should'))} should, ` +
    `false positives ${oddballs.filter((o) => !o.ok).length}/${oddballs.length} (${new Set(oddballs.map((o) => o.id)).size} oddballs over ${SEEDS.length} seeds); ` +
    (handWritten ? `the hand-written checks alone miss ${missedByHand.length}/${handWritten} unlisted faults; ` : '') +
    `secrets found in outputs ${leaks.length} (${found.reduce((n, r) => n + r.targets, 0)} targets in ${found.length} suite runs searched)`;
  if (!ONLY) {
    const timings = found.map((r) => {
      const batch = batches.find((b) => b.key === r.key)!;
      return {
        batch: r.key,
        targets: r.targets,
        profile: batch.profile,
        seed: batch.seed,
        budget: batch.budget || 'default',
        narrowed: Boolean(batch.rules),
        seconds: r.seconds,
      };
    });
    writeFileSync(
      join(ROOT, 'reports/detection.json'),
      JSON.stringify(
        {
          score: line,
          missedByHandWrittenChecks: missedByHand,
          latencyMs: LATENCY_MS,
          perFault: Object.fromEntries(perFault),
          timings,
          outcomes: all,
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(ROOT, 'reports/detection.txt'),
      `${line}\n${handWritten ? `missed by the hand-written checks alone: ${missedByHand.join(', ')}\n` : ''}`,
    );
  }
  return line;
}
