// Collects Playwright's test results and writes the rule matrix: reports/conformance.json (a fixed
// interface: tools outside the repo read it), reports/conformance.html (the same matrix, for people),
// junit.xml and the table the terminal ends with. Runs merged from several targets (merge-reports) get
// a column each. What passed, failed, is undecided or left out is decided in report/decide.ts.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult, TestError } from '@playwright/test/reporter';
import { loadDocument } from '../contract/openapi.ts';
import { clip, errorLine, overallOf, runStatusOf, runsOf, type Seen, targetReportOf } from './decide.ts';
import { junitOf } from './junit.ts';
import { renderMatrix } from './matrix-html.ts';
import { stepSummary } from './step-summary.ts';
import { renderTable } from './terminal-table.ts';
import type { ConformanceReport } from './report-model.ts';
import { secretsOf } from '../client/credentials.ts';
import { Secrets } from '../client/redaction.ts';
import { forgetFailed } from '../state/failed-rules.ts';
import { ledgerPath } from '../state/paths.ts';
import { type Env, readEnvironment } from '../settings/environment.ts';
import { readTargets } from '../settings/targets.ts';
import { describeRun, environmentTokens } from './run-info.ts';

export default class ConformanceReporter implements Reporter {
  readonly #seen = new Map<string, Seen>();
  readonly #errors: string[] = [];
  readonly #file: string;
  readonly #htmlReport: string;
  readonly #junit: string | undefined;
  #started = new Date();
  #root = process.cwd();
  #shard: string | undefined;
  #environment: Env | undefined;

  /** The run's environment, read once the run is over: the embedded servers' URLs and the run id are known by then. */
  #env(): Env {
    this.#environment ??= readEnvironment();
    return this.#environment;
  }

  constructor(options: { outputFile?: string; htmlReport?: string; junit?: string } = {}) {
    this.#junit = options.junit;
    this.#file = options.outputFile ?? 'reports/conformance.json';
    this.#htmlReport = options.htmlReport ?? join(dirname(this.#file), 'html');
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig): void {
    this.#started = new Date();
    this.#root = config.rootDir;
    if (config.shard) this.#shard = `${config.shard.current}/${config.shard.total}`;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.#seen.set(test.id, { test, result }); // a retry replaces the earlier attempt
  }

  onError(error: TestError): void {
    this.#errors.push(errorLine(error.message ?? String(error.value ?? 'unknown error')));
  }

  /** Writes the reports; the run's exit code follows the verdict (a rule can fail through tests it blocked). */
  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    // `playwright test --list` runs the reporters too: a listing is no run, and gets no verdict.
    if (process.argv.includes('--list')) return undefined;
    const secrets = runSecrets(this.#env());
    // Shards of one target make one column; the checks no run ran belong to every run.
    const runs = runsOf(this.#seen.values(), () => describeRun(this.#env()));
    const end = { status: result.status, errors: this.#errors, secrets, shard: this.#shard };
    const targets = runs.map(({ run, seen }) => targetReportOf(run, seen, end));
    const report: ConformanceReport = {
      schemaVersion: 1,
      ...overallOf(targets),
      startedAt: this.#started.toISOString(),
      durationMs: Math.round(result.duration),
      targets,
    };
    mkdirSync(dirname(this.#file), { recursive: true });
    writeFileSync(this.#file, `${JSON.stringify(report, null, 2)}\n`);
    const page = join(dirname(this.#file), 'conformance.html');
    writeFileSync(
      page,
      renderMatrix(report, relative(dirname(page), this.#htmlReport), loadDocument(report.profile).externalDocs?.url),
    );
    // An aborted run's error is its abort reason, in its table; any other is told here, once.
    if (report.outcome !== 'aborted')
      for (const e of new Set(this.#errors)) console.log(`conformance: error: ${clip(secrets.redact(e))}`);
    if (this.#junit) {
      const several = runs.length > 1;
      writeFileSync(
        this.#junit,
        junitOf(
          runs.map(({ run, seen }, i) => ({
            target: several ? (run.name ?? run.target) : undefined,
            seen,
            rules: targets[i].rules,
          })),
          secrets,
          this.#root,
        ),
      );
    }
    for (const t of targets) console.log(renderTable(t, relative(process.cwd(), this.#file) || this.#file));
    // A CI job's summary page shows the verdict without opening an artifact (the reasons are redacted already).
    const summary = this.#env().GITHUB_STEP_SUMMARY;
    if (summary) appendFileSync(summary, `${stepSummary(targets)}\n`);
    const status = runStatusOf(report, result.status);
    return status ? { status } : undefined;
  }

  /** After every reporter is done: the run's secret ledger goes (the snapshot went with the verified restore). */
  async onExit(): Promise<void> {
    const run = runFiles(this.#env());
    if (!run) return;
    rmSync(ledgerPath(run, run.runId), { force: true });
    forgetFailed(run.stateDir, run.runId);
  }
}

/** The run's redactor; a merge of other runs' reports has no run of its own, only the tokens it was given. */
function runSecrets(env: Env): Secrets {
  try {
    return secretsOf(readTargets(env));
  } catch {
    const secrets = new Secrets();
    secrets.know(...environmentTokens(env));
    return secrets;
  }
}

/** Where the run kept what its processes shared (the secret ledger, the rules failed on each target). */
function runFiles(env: Env): { stateDir: string; runId: string } | undefined {
  try {
    const [{ stateDir, runId }] = readTargets(env);
    return runId ? { stateDir, runId } : undefined;
  } catch {
    return undefined;
  }
}
