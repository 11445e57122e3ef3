// The report model, in one place: what a run reports per target and per rule (reports/conformance.json
// is this, a fixed interface that tools outside the repository read), and the annotations by which a
// check tells the reporter what it decided. Checks write annotations only through `annotate`; the
// reporter reads them only through `decisionsOf`.
import type { Profile } from '../contract/openapi.ts';
import type { Level, RuleId } from '../rules/catalogue.ts';

export type RuleStatus = 'passed' | 'failed' | 'warning' | 'skipped';

export interface RuleResult {
  id: string;
  level: Level;
  title: string;
  doc: string;
  status: RuleStatus;
  reason?: string;
  /**
   * The run's settings left the rule out on purpose (another profile, CONFORMANCE_RULES,
   * CONFORMANCE_SKIP_RULES, the stateless subset): skipped, and it does not hold back a pass.
   */
  excluded?: true;
  /** Titles and ids of the tests that decided the rule (the ids link into the HTML report). */
  tests: { title: string; testId: string; status: string }[];
}

/** What a run was pointed at; every test records it (the `run` annotation), so merged runs stay apart. */
export interface RunInfo {
  /** The target's short name (its column); absent in reports of runs before there were several targets. */
  name?: string;
  target: string;
  otherRegionUrl: string | null;
  profile: Profile;
  strict: boolean;
  seed: number;
  /** The rules the run was narrowed to (CONFORMANCE_RULES), when it was: every other rule is excluded. */
  selectedRules?: string[];
  /** TLS certificates were not checked (CONFORMANCE_INSECURE): see INSECURE. */
  insecure?: true;
  /** The target was the suite's embedded reference: each shard's has a port of its own, yet they are one target. */
  embedded?: true;
}

export interface TargetReport extends RunInfo {
  /**
   * passed: every MUST rule the run did not exclude was decided and none failed (in strict mode, the
   * SHOULD rules too); failed: a MUST rule failed (strict: or a SHOULD); aborted: the run stopped
   * before its verdict; incomplete: no rule failed, but a MUST rule it kept was not decided, or none was.
   */
  outcome: 'passed' | 'failed' | 'aborted' | 'incomplete';
  abortReason?: string;
  /** The run stopped on a setting found wrong by asking the target (WRONG_SETTING): a usage error. */
  abortedBy?: 'setting';
  counts: Record<RuleStatus, number>;
  rules: RuleResult[];
  /** What the target did where the docs leave the choice open (never a verdict). */
  observations: string[];
  /** What the generated checks' budget bought, summed over their searches (absent when none ran). */
  generated?: Searched & { checks: number };
  /** 'I/N': the report of one shard of a run, deciding the rules its share of the checks decides. */
  shard?: string;
}

/** The top level is the one target's report; for merged runs it sums them up and `targets` has each. */
export interface ConformanceReport extends TargetReport {
  schemaVersion: 1;
  startedAt: string;
  durationMs: number;
  targets: TargetReport[];
}

/** How the message of a run stopped before any test begins; a wrong setting found by asking the target (a URL that is not the API) says so, and exits as a usage error. */
export const STOPPED = 'conformance run stopped: ';
export const WRONG_SETTING = 'conformance run stopped, a setting is wrong: ';

/** What every report of a run without certificate checks says (terminal, conformance.html). */
export const INSECURE =
  'TLS certificates were not verified (CONFORMANCE_INSECURE): this verdict does not vouch for the connection';

type Annotation = { type: string; description?: string };

/** The annotation of a rule a check found broken. */
export const RULE_FAILED = 'failed';

/** The annotations a check writes. */
export const annotate = {
  /** The test decides this rule (its title's rule, those it covers, and any it finds broken). */
  rule: (id: RuleId): Annotation => ({ type: 'rule', description: id }),
  /** The vendor page's section the test checks. */
  doc: (section: string): Annotation => ({ type: 'doc', description: section }),
  /** Why the test does not run here (another profile, a subset, no budget): Playwright skips it when collected. */
  skip: (reason: string): Annotation => ({ type: 'skip', description: reason }),
  /** The run's settings leave the test's rules out on purpose (its skip is a choice, not a gap). */
  excluded: (reason: string): Annotation => ({ type: 'excluded', description: reason }),
  failed: (id: RuleId, reason: string): Annotation => ({ type: RULE_FAILED, description: `${id}: ${reason}` }),
  warning: (id: RuleId, reason: string): Annotation => ({ type: 'warning', description: `${id}: ${reason}` }),
  /** The test passed, but without the evidence this rule needs (rules/catalogue.ts EVIDENCE): it does not decide it. */
  unevidenced: (id: RuleId, reason: string): Annotation => ({ type: 'unevidenced', description: `${id}: ${reason}` }),
  /** What the target did where the documents leave the choice open, or to a cleanup's DELETE: recorded, never judged. */
  observed: (what: string): Annotation => ({ type: 'observed', description: what }),
  /** Which run the test belongs to, so that reports merged from several targets keep them apart. */
  run: (info: RunInfo): Annotation => ({ type: 'run', description: JSON.stringify(info) }),
  /** What a generated check's search bought with its budget. */
  searched: (bought: Searched): Annotation => ({ type: 'searched', description: JSON.stringify(bought) }),
};

/**
 * What the generated checks' budget bought: runs (sequences), requests, distinct requests (method,
 * path, credentials and body), and failures replayed from earlier runs before the search.
 */
export interface Searched {
  runs: number;
  requests: number;
  inputs: number;
  replayed: number;
  /** The work after failures: runs replayed alone and shrink candidates, their requests, and the time they took. */
  afterFailures: { runs: number; requests: number; ms: number };
}

/** Why a rule is out of a run left out by its skip list (the reason its checks carry). */
export const SKIP_LIST_REASON = 'left out by CONFORMANCE_SKIP_RULES';

/** Takes back rules a test turns out not to decide in this run (it lacks what they need). */
export function undecide(annotations: Annotation[], ids: ReadonlySet<string>): void {
  for (let i = annotations.length - 1; i >= 0; i--)
    if (annotations[i].type === 'rule' && ids.has(annotations[i].description ?? '')) annotations.splice(i, 1);
}

/** What a test's annotations say. */
export interface Decisions {
  /** The rules it decides, its title's rule first. */
  rules: string[];
  failed: Map<string, string[]>;
  warnings: Map<string, string[]>;
  /** The rules it passed without their evidence, and why each does not count. */
  unevidenced: Map<string, string[]>;
  skip?: string;
  /** Why the run's settings left the test out, when they did. */
  excluded?: string;
  run?: RunInfo;
  observed: string[];
  searched: Searched[];
}

export function decisionsOf(annotations: readonly Annotation[]): Decisions {
  const byRule = (type: string) => {
    const out = new Map<string, string[]>();
    for (const a of annotations.filter((x) => x.type === type && x.description)) {
      const at = a.description!.indexOf(': ');
      const [id, reason] = [a.description!.slice(0, at), a.description!.slice(at + 2)];
      out.set(id, [...(out.get(id) ?? []), reason]);
    }
    return out;
  };
  const of = (type: string) => annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
  const run = of('run')[0];
  return {
    rules: of('rule'),
    failed: byRule('failed'),
    warnings: byRule('warning'),
    unevidenced: byRule('unevidenced'),
    skip: of('skip')[0],
    excluded: of('excluded')[0],
    run: run ? (JSON.parse(run) as RunInfo) : undefined,
    observed: of('observed'),
    searched: of('searched').map((d) => JSON.parse(d) as Searched),
  };
}
