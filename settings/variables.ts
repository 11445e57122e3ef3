// The variables the suite reads, with their meanings: a fixed interface (CI pipelines set them; the
// command line's flags are their twins, cli/conformance.ts), printed by the README and --help.
import { PROFILES } from '../contract/openapi.ts';
import type { Env } from './environment.ts';
import { nearest } from './typos.ts';

/**
 * What each generated check may spend: a number of runs (the same seed then replays them exactly),
 * seconds, or both (whichever comes first).
 */
export interface Budget {
  runs?: number;
  seconds?: number;
}

/**
 * By default 25 runs a check, counted in runs and never in seconds: a target 50 ms away gets the same
 * search as one on loopback (it takes longer), so that the verdict does not depend on the distance.
 */
export const DEFAULT_BUDGET: Budget = { runs: 25 };

/**
 * The seed of a run under CI (the CI variable set) that names none: the same server then gets the same
 * verdict on every run; CONFORMANCE_SEED=random asks for a new search each time (a nightly job).
 */
export const CI_SEED = 1;

/** Set by the command line for the suite it starts: failures then tell how to rerun them with its flags. */
export const LAUNCHED_BY = 'CONFORMANCE_LAUNCHED_BY';

/** Set by the global setup for the run's workers and reporter; not a user setting. */
export const RUN_ID_VARIABLE = 'CONFORMANCE_RUN_ID';

/** Set while the run judges its embedded reference servers (the runner chose their bots and tokens). */
export const EMBEDDED_VARIABLE = 'CONFORMANCE_EMBEDDED';

/**
 * Set by the runner for its workers when a target is far (its round trip, in ms, run/round-trip.ts):
 * checks of one rule then run side by side instead of in turn. Not a user setting.
 */
export const DISTANCE_VARIABLE = 'CONFORMANCE_DISTANCE_MS';

/**
 * Set for the workers by report/failed-checks.ts when the run's reporters include it: only then may a
 * check that fails its rule tell Playwright it expected to (a user's own --reporter list leaves it out,
 * and those reporters must see a failed test failed).
 */
export const FAILED_CHECKS_VARIABLE = 'CONFORMANCE_FAILED_CHECKS';

/** Every variable the suite reads, with its meaning: the README and --help print this list. */
export const VARIABLES = {
  TARGET_URL: 'base URL of the server under test; unset: the embedded reference server',
  BOT_ID: 'the bot whose providers the run writes (and restores)',
  API_TOKEN: "that bot's API token",
  SECOND_BOT_ID: 'a second bot on the same target, for isolation checks (optional)',
  SECOND_API_TOKEN: "the second bot's API token (optional)",
  OTHER_REGION_URL: 'base URL of a region where BOT_ID does not reside (optional)',
  CONFORMANCE_STRICT: 'SHOULD violations fail the run too',
  CONFORMANCE_SEED: `replays a run's generated data (printed by every run); default random, or ${CI_SEED} when CI is set; 'random' for a new one under CI too`,
  CONFORMANCE_RULES: 'only the checks of these rules, comma-separated ids (e.g. AUTH-WRONG-TOKEN,DELETE-200)',
  CONFORMANCE_SKIP_RULES:
    'rules left out on purpose, comma-separated ids (e.g. AUTH-OTHER-REGION when there is no other region): a run passes only when every MUST rule it does not leave out was decided',
  CONFORMANCE_BUDGET: `what each generated check may spend: a number of runs (the seed replays them exactly), seconds ('90s', '5m') for a deeper nightly run, or 0 to leave them out (default ${DEFAULT_BUDGET.runs} runs, whatever the target's distance)`,
  CONFORMANCE_SINGLE_BOT:
    'the target has a single bot in one region: the rules that need a second bot or another region are left out, named, and the run can pass without them',
  CONFORMANCE_PROFILE: `which revision of the vendor page to hold the target to: ${PROFILES.join(' | ')}`,
  CONFORMANCE_STATELESS: 'only the checks a stateless mock (Prism) can answer',
  CONFORMANCE_TIMEOUT_MS: 'per-request timeout; a slower answer counts as a hang (default 5000)',
  CONFORMANCE_CA_FILE:
    'a PEM file of CA certificates to trust for an https target with a private CA (NODE_EXTRA_CA_CERTS works too)',
  CONFORMANCE_INSECURE: 'do not check TLS certificates at all (printed in every report; prefer CONFORMANCE_CA_FILE)',
  CONFORMANCE_CLIENT_CERT:
    'a PEM client certificate (its chain may follow) for an https target that wants mutual TLS; its key in CONFORMANCE_CLIENT_KEY',
  CONFORMANCE_CLIENT_KEY:
    'the PEM private key of CONFORMANCE_CLIENT_CERT (an encrypted one: its passphrase in CONFORMANCE_CLIENT_KEY_PASSPHRASE)',
  CONFORMANCE_CLIENT_PFX:
    'a PKCS#12 file (.p12, .pfx) holding the client certificate and its key, instead of the two PEM files',
  CONFORMANCE_CLIENT_KEY_PASSPHRASE:
    'the passphrase of the client key or PKCS#12 file: a variable only (a flag would show in `ps`), and a secret of the run',
  CONFORMANCE_HEADERS:
    "headers every request carries (an API gateway's), one 'Name: value' a line; a value written env:NAME is read from the variable NAME and is a secret of the run, never shown",
  CONFORMANCE_REPORT_DIR: 'where the reports go (default ./reports)',
  CONFORMANCE_STATE_DIR: 'where the snapshot is kept until the restore is verified (default ./.conformance)',
  CONFORMANCE_TARGET_NAME:
    'a short name for the target, tagged on its tests when several runs are merged into one report',
  CONFORMANCE_SHARD:
    "this run is shard I of N ('1/2'): its share of the checks, its verdict on the rules they decide, and its blob report (REPORT_DIR/blob/) for the merge command; give every shard the same seed",
  CONFORMANCE_WORKERS:
    'parallel workers (default: 2 for one target; for several, one a CPU core, at least 2; one more for every 40 ms of round trip to the farthest target, up to 8)',
  CONFORMANCE_CONFIG:
    'a configuration file of targets and settings (JSON or YAML; default: conformance.config.json, .yaml or .yml in the working directory)',
} as const;

/** The variables the suite sets for its own processes: never a user's typo. */
export const INTERNAL_VARIABLES = [
  LAUNCHED_BY,
  RUN_ID_VARIABLE,
  EMBEDDED_VARIABLE,
  DISTANCE_VARIABLE,
  FAILED_CHECKS_VARIABLE,
] as const;

export class SettingsError extends Error {}

/**
 * A CONFORMANCE_ variable the suite does not read is a mistake (CONFORMANCE_STRCT=1 would otherwise
 * run a lenient run that looks strict), named with the nearest one. `alsoKnown`: the variables the
 * configuration file names (its tokenEnv, its headers' env:NAME), which may carry the prefix too.
 */
export function checkVariableNames(env: Env, alsoKnown: readonly string[] = []): void {
  const known = new Set<string>([...Object.keys(VARIABLES), ...INTERNAL_VARIABLES, ...alsoKnown]);
  const prefix = 'CONFORMANCE_';
  const stray = Object.keys(env)
    .filter((name) => name.startsWith(prefix) && !known.has(name))
    .sort();
  if (!stray.length) return;
  const ours = [...known].filter((k) => k.startsWith(prefix) && !(INTERNAL_VARIABLES as readonly string[]).includes(k));
  const named = stray.map((name) => {
    // Compared without the prefix they share: CONFORMANCE_FOO is not 'near' every variable.
    const guess = nearest(
      name.slice(prefix.length),
      ours.map((k) => k.slice(prefix.length)),
    );
    return `${name}${guess ? ` (did you mean ${prefix}${guess}?)` : ''}`;
  });
  throw new SettingsError(
    `${named.join(', ')} ${stray.length > 1 ? 'are not variables' : 'is not a variable'} the suite reads (the README lists them)`,
  );
}

/** An on/off variable: on for 1, true or yes; off for anything else; unset (undefined) when empty. */
export function switchOf(text: string | undefined): boolean | undefined {
  const value = text?.trim().toLowerCase();
  return value ? ['1', 'true', 'yes'].includes(value) : undefined;
}

/** Whether the run was started by the package's command (its flags) rather than `playwright test` (its variables). */
export const launchedByCli = (env: Env) => env[LAUNCHED_BY] === 'cli';

/**
 * What a run of the compiled suite (the npm package's) needs besides its configuration: nothing of it
 * needs Playwright's TypeScript loader, a thread it would start in every worker (Node 20 has no
 * in-thread module hooks); without it a worker starts in about 25% less CPU. A V8 code cache of
 * Playwright's bundles was tried and left out: on Node 20 a script compiled from a cache loses its
 * dynamic-import callback, and those bundles call import() (an ESM config, a spec file).
 */
export const COMPILED_RUN_ENV = { PW_DISABLE_TS_ESM: '1' } as const;
