// What playwright.config.ts needs to set a run up, read in the runner before any test is collected,
// and what the runner decides for the whole run (the seed; the embedded reference's bots and tokens),
// handed to the workers through the environment (settings/environment.ts writes it).
import { randomBytes, randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { RuleId } from '../rules/catalogue.ts';
import { readConfigFile, variablesNamed } from './config-file.ts';
import type { Env } from './environment.ts';
import { readFlags, reportDir } from './run-flags.ts';
import { readTargets, targetNames } from './targets.ts';
import { CI_SEED, checkVariableNames, EMBEDDED_VARIABLE, RUN_ID_VARIABLE, SettingsError } from './variables.ts';

/** The settings that name a target; any of them without TARGET_URL is a mistake, never a run against the embedded reference. */
const TARGET_SETTINGS = ['BOT_ID', 'API_TOKEN', 'SECOND_BOT_ID', 'SECOND_API_TOKEN', 'OTHER_REGION_URL'] as const;

export interface RunPlan {
  /** The run's targets, each a describe in every spec file (fixtures/conformance.ts, forEachTarget). */
  targets: string[];
  workers: number;
  /** The workers were given (CONFORMANCE_WORKERS, or the configuration file): the targets' distance does not change them. */
  workersGiven: boolean;
  reportDir: string;
  /** A tag for every test of the run, when the target is named (merged reports keep targets apart). */
  tag?: string;
  /** Only the checks of these rules are collected (CONFORMANCE_RULES). */
  rules?: RuleId[];
  /** This run is one shard of several (CONFORMANCE_SHARD): it writes a blob report named by it. */
  shard?: Shard;
}

export interface Shard {
  current: number;
  total: number;
}

/** A run's plan, and the variables its workers need besides those they inherit (`undefined`: unset). */
export interface PreparedRun {
  plan: RunPlan;
  handoff: Record<string, string | undefined>;
}

/**
 * Reads and checks every setting of the run (a bad one stops it with one message, before a test is
 * collected) and decides what the workers must share: the seed, chosen once, and for the embedded
 * reference its bots and fresh tokens. Playwright loads the configuration in each worker too: there
 * the runner's choices are already in the environment and nothing new is chosen.
 */
export function prepareRun(given: Env): PreparedRun {
  const worker = Boolean(given.TEST_WORKER_INDEX);
  const file = readConfigFile(given);
  checkVariableNames(given, variablesNamed(file?.config));
  const handoff: Record<string, string | undefined> = {};
  const seed = given.CONFORMANCE_SEED?.trim();
  if (seed === 'random') handoff.CONFORMANCE_SEED = String(randomInt(1, 2 ** 31));
  else if (!seed) handoff.CONFORMANCE_SEED = String(file?.config.seed ?? (given.CI ? CI_SEED : randomInt(1, 2 ** 31)));
  // The run id is the global setup's to give (workers keep theirs).
  if (!worker) handoff[RUN_ID_VARIABLE] = undefined;
  // A check's requests and answers are short-lived: with 4 MiB semi-spaces rather than V8's 16 a worker
  // stays smaller at the same speed. A user's own choice stands. Tried and left out: --no-opt (cheaper
  // for one broken target, dearer for ten) and 1 MiB semi-spaces (too little saved for a flag every
  // process of every user would carry).
  if (!worker && !given.NODE_OPTIONS?.includes('--max-semi-space-size'))
    handoff.NODE_OPTIONS = `${given.NODE_OPTIONS ?? ''} --max-semi-space-size=4`.trim();
  const hasTarget = Boolean(given.TARGET_URL?.trim() || file?.config.targets);
  const stray = TARGET_SETTINGS.filter((v) => given[v]?.trim());
  if (!worker && given[EMBEDDED_VARIABLE] !== '1' && !hasTarget && stray.length) {
    throw new SettingsError(
      `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but TARGET_URL is not. ` +
        'Set TARGET_URL to the server to judge; unset every target setting to run against the embedded reference server.',
    );
  }
  if (!hasTarget) {
    Object.assign(handoff, {
      [EMBEDDED_VARIABLE]: '1',
      BOT_ID: 'bot-a',
      API_TOKEN: `ta-${randomBytes(12).toString('hex')}`,
      SECOND_BOT_ID: 'bot-b',
      SECOND_API_TOKEN: `tb-${randomBytes(12).toString('hex')}`,
    });
  }
  const env: Env = { ...given, ...handoff };
  const { rules } = readFlags(env, file?.config);
  if (hasTarget) readTargets(env);
  const workersText =
    env.CONFORMANCE_WORKERS?.trim() || (file?.config.workers === undefined ? undefined : String(file.config.workers));
  if (workersText && (!/^\d+$/.test(workersText) || Number(workersText) < 1 || Number(workersText) > 64)) {
    throw new SettingsError(`CONFORMANCE_WORKERS must be a whole number from 1 to 64; got '${workersText}'`);
  }
  const name = env.CONFORMANCE_TARGET_NAME?.trim();
  return {
    plan: {
      targets: targetNames(env),
      workers: workersText ? Number(workersText) : defaultWorkers(targetNames(env).length),
      workersGiven: Boolean(workersText),
      reportDir: reportDir(env, file?.config),
      tag: name ? `@${name}` : undefined,
      rules,
      shard: readShard(env.CONFORMANCE_SHARD),
    },
    handoff,
  };
}

/** 'I/N': shard I of N, as Playwright's --shard takes it. */
export function readShard(text: string | undefined, name = 'CONFORMANCE_SHARD'): Shard | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  const match = /^(\d{1,3})\/(\d{1,3})$/.exec(value);
  const [current, total] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || current < 1 || current > total)
    throw new SettingsError(`${name} must be I/N, a shard from 1 to N ('1/2'); got '${value}'`);
  return { current, total };
}

/** The name of a shard's blob report: its targets and its place, so that no shard's blob replaces another's. */
export function blobName(targets: string[], shard: Shard): string {
  return `conformance-${targets.join('+')}-shard-${shard.current}-of-${shard.total}`;
}

/**
 * One target: two workers. Its checks of the whole list take their turns anyway, but a check waiting
 * on a slow or hanging answer (or a timed-out check's worker start) leaves the other worker going.
 * More workers than cores do not help. Several targets: one a core, at least two, never more than the
 * targets.
 */
function defaultWorkers(targets: number): number {
  return targets === 1 ? 2 : Math.min(targets, Math.max(2, availableParallelism()));
}
