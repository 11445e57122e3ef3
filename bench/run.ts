// npm run bench: how long a verdict takes, measured in one run so that ratios are fair. It asserts
// nothing about speed; it writes reports/bench.json and prints a table.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { prismArgs } from '../mock/cli.ts';
import { EndlessAnswer, faultOf, type Fault } from '../faulty/catalogue.ts';
import { ReferenceApp, type Answer } from '../reference/app.ts';
import { freePort } from '../tools/ports.ts';
import { asCompiled, buildCompiledSuite } from '../selftest/support/compiled-suite.ts';
import { PLAYWRIGHT_CLI, ROOT, cleanEnv, runSuite, type RunOptions } from '../selftest/support/run-suite.ts';
import { removeScratch } from '../selftest/support/scratch.ts';
import { configFor, startTarget } from '../selftest/support/servers.ts';

const RUNS = Number(process.env.BENCH_RUNS) || 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => Math.round(ms) / 1000;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** The i-th run of every measurement uses the i-th seed: two figures compared are the same searches. */
const seedOf = (i: number) => String(1000 + i);

async function medianOf(what: string, run: (seed: string) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timed(() => run(seedOf(i))));
  process.stderr.write(`bench: ${what}: ${times.map((t) => seconds(t)).join(', ')} s\n`);
  return median(times);
}

/** A suite run that must pass: a benchmark of a failing run would measure something else. */
async function passingRun(options: RunOptions): Promise<void> {
  const run = await runSuite(options);
  if (run.code !== 0) throw new Error(`a benchmark run failed (exit ${run.code}):\n${run.stdout.slice(-2000)}`);
}

/** A suite run that must fail on `rule`: the verdict of a broken target. */
async function failingRun(options: RunOptions, rule: string): Promise<void> {
  const run = await runSuite(options);
  const status = run.report?.rules.find((r) => r.id === rule)?.status;
  if (run.code !== 1 || status !== 'failed')
    throw new Error(`a benchmark run did not fail ${rule} (exit ${run.code}, ${rule} ${status})`);
}

/** Counts requests per check, by the x-conformance-check header the suite sends. */
class CountingApp extends ReferenceApp {
  static counts = new Map<string, number>();
  protected override async handle(req: http.IncomingMessage): Promise<Answer> {
    const label = String(req.headers['x-conformance-check'] ?? 'unlabelled');
    CountingApp.counts.set(label, (CountingApp.counts.get(label) ?? 0) + 1);
    return super.handle(req);
  }
}

/** Total RSS of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  let total = 0;
  const visit = (pid: number) => {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += rss ? Number(rss[1]) * 1024 : 0;
    } catch {
      /* gone meanwhile */
    }
    for (const [child, parent] of parents) if (parent === pid) visit(child);
  };
  visit(root);
  return total;
}

/** Peak RSS of a run's process tree (runner and workers), sampled every 50 ms. */
async function peakMemoryOf(run: (options: RunOptions) => Promise<unknown>, options: RunOptions = {}): Promise<number> {
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  await run({
    ...options,
    onSpawn: (pid) => {
      timer = setInterval(() => {
        peak = Math.max(peak, treeRss(pid));
      }, 50);
    },
  });
  clearInterval(timer);
  return peak;
}

async function trivialRun(): Promise<void> {
  const child = spawn(process.execPath, [PLAYWRIGHT_CLI, 'test', '-c', 'bench/trivial/playwright.config.ts'], {
    cwd: ROOT,
    env: cleanEnv({}),
    stdio: 'ignore',
  });
  const code = await new Promise((r) => child.on('close', r));
  if (code !== 0) throw new Error(`the trivial run failed (exit ${code})`);
}

async function prismFigures(): Promise<{ startMs: number; statelessMs: number }> {
  const starts: number[] = [];
  const subsets: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const port = await freePort();
    const started = performance.now();
    const prism = spawn(process.execPath, prismArgs('default', port), { cwd: ROOT, env: cleanEnv({}) });
    await new Promise<void>((resolve) =>
      prism.stdout.on('data', (d) => {
        if (String(d).includes('Prism is listening')) resolve();
      }),
    );
    starts.push(performance.now() - started);
    subsets.push(
      await timed(() =>
        passingRun({
          env: {
            TARGET_URL: `http://127.0.0.1:${port}`,
            BOT_ID: 'bench-bot',
            API_TOKEN: 'bench-token',
            CONFORMANCE_STATELESS: '1',
          },
        }),
      ),
    );
    prism.kill('SIGTERM');
    await new Promise((r) => prism.on('close', r));
  }
  return { startMs: median(starts), statelessMs: median(subsets) };
}

const counting = await startTarget(CountingApp);
const latent = await startTarget(ReferenceApp, { latencyMs: 50 });

const trivial = await medianOf('trivial one-test run', trivialRun);
const cold = await medianOf('full run, cold (servers started by the run)', (seed) =>
  passingRun({ env: { CONFORMANCE_SEED: seed } }),
);
CountingApp.counts.clear();
const warm = await medianOf('full run, warm (servers already up)', (seed) =>
  passingRun({ env: { ...counting.env, CONFORMANCE_SEED: seed } }),
);
const perRun = new Map([...CountingApp.counts].map(([k, v]) => [k, v / RUNS]));
// The generated checks' share: the same warm run with CONFORMANCE_BUDGET=0 leaves them out.
const handWritten = await medianOf('full run, warm, without the generated checks', (seed) =>
  passingRun({ env: { ...counting.env, CONFORMANCE_BUDGET: '0', CONFORMANCE_SEED: seed } }),
);
const latency = await medianOf('full run, warm, 50 ms latency per request', (seed) =>
  passingRun({ env: { ...latent.env, CONFORMANCE_SEED: seed } }),
);
const prism = await prismFigures();

// Broken targets, picked by the rule they break (faulty/catalogue.ts, faultOf): a GET body of the
// wrong shape (every check that reads the list runs into it), and a status AUTH-WRONG-TOKEN does not
// allow to bad credentials (four rules broken on every operation).
// And the catalogue's slowest verdict when this bench was written: every refused body answered with
// another status, quoting the input back (each refusal rule fails on its own); measured compiled too.
const slowest = faultOf('POST-400-WRONG-TYPE', (f) => f.id === '422-quotes-input');
const brokenTargets: { what: string; fault: Fault }[] = [
  { what: 'GET body of a wrong shape', fault: faultOf('GET-200-SHAPE') },
  {
    what: 'bad credentials, wrong status',
    fault: faultOf('AUTH-WRONG-TOKEN', (f) => f.wrongStatus !== undefined),
  },
  { what: 'every refusal a 422', fault: slowest },
];
// Each by the rule it breaks: the fault, its sentence, the median and its ratio to a warm reference run.
const faults: Record<string, { what: string; fault: string; sentence: string; seconds: number; toWarm: number }> = {};
for (const { what, fault } of brokenTargets) {
  const target = await startTarget(fault.App);
  const time = await medianOf(`verdict of the faulty server ${fault.id} (${fault.rule})`, (seed) =>
    failingRun({ env: { ...target.env, CONFORMANCE_SEED: seed } }, fault.rule),
  );
  await target.close();
  faults[fault.rule] = {
    what,
    fault: fault.id,
    sentence: fault.sentence,
    seconds: seconds(time),
    toWarm: +(time / warm).toFixed(2),
  };
}

// The same as the npm package (and the GitHub Action) runs it: compiled to JavaScript, without
// Playwright's TypeScript loader thread in each worker. The figures above are the repository's path.
buildCompiledSuite();
const compiledWarm = await medianOf('full run, warm, compiled', (seed) =>
  passingRun(asCompiled({ env: { ...counting.env, CONFORMANCE_SEED: seed } })),
);
const slowestTarget = await startTarget(slowest.App);
const compiledWorst = await medianOf(`verdict of the faulty server ${slowest.id}, compiled`, (seed) =>
  failingRun(asCompiled({ env: { ...slowestTarget.env, CONFORMANCE_SEED: seed } }), slowest.rule),
);
await slowestTarget.close();

// Many targets: ten references judged in one run, against one of them alone.
const TARGETS = 10;
const many = await Promise.all(Array.from({ length: TARGETS }, () => startTarget()));
const config = configFor(many.map((target, i) => ({ name: `target-${i + 1}`, target })));
const oneTarget = await medianOf('one target, through a configuration file', (seed) =>
  passingRun({ env: { ...configFor([{ name: 'target-1', target: many[0] }]).env, CONFORMANCE_SEED: seed } }),
);
const tenTargets = await medianOf(`${TARGETS} targets in one run`, (seed) =>
  passingRun({ env: { ...config.env, CONFORMANCE_SEED: seed } }),
);
const manyPeakBytes = await peakMemoryOf(passingRun, { env: { ...config.env, CONFORMANCE_SEED: seedOf(0) } });
await Promise.all(many.map((t) => t.close()));
const peakBytes = await peakMemoryOf(passingRun, { env: { CONFORMANCE_SEED: seedOf(0) } });
const compiledPeakBytes = await peakMemoryOf(passingRun, asCompiled({ env: { CONFORMANCE_SEED: seedOf(0) } }));
// A target whose answer never ends (faulty/catalogue.ts, endless-answer): the cap bounds what a worker holds.
const endless = await startTarget(EndlessAnswer);
const endlessPeakBytes = await peakMemoryOf(runSuite, { env: endless.env });
await Promise.all([counting.close(), latent.close(), endless.close()]);
// The runs' report and state folders.
removeScratch();

const total = [...perRun.values()].reduce((a, b) => a + b, 0);
const of = (prefix: string) => [...perRun].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
// With unlimited workers: the snapshot, the longest per-name test, every whole-list test in turn, the restore.
const criticalPath =
  (perRun.get('snapshot') ?? 0) +
  Math.max(0, ...of('per-name/')) +
  of('whole-list/').reduce((a, b) => a + b, 0) +
  (perRun.get('restore') ?? 0);

// The bounds issue #23 set, each printed beside its figure.
const GOALS = {
  warmToTrivial: 2,
  brokenToWarm: 1.5,
  tenTargetsToOne: 3,
  peakMemoryMiB: 400,
  peakMemoryTenTargetsMiB: 600,
};
const against = (value: number, goal: number, unit: string) =>
  `(target ≤ ${goal}${unit}: ${value <= goal ? 'met' : 'not met'})`;

const figures = {
  goals: GOALS,
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  },
  runs: RUNS,
  seconds: {
    trivial: seconds(trivial),
    fullCold: seconds(cold),
    fullWarm: seconds(warm),
    fullWarmWithoutGenerated: seconds(handWritten),
    fullWarmLatency50ms: seconds(latency),
    prismStart: seconds(prism.startMs),
    statelessOnPrism: seconds(prism.statelessMs),
    oneTarget: seconds(oneTarget),
    tenTargets: seconds(tenTargets),
    compiledWarm: seconds(compiledWarm),
    compiledWorstFault: seconds(compiledWorst),
  },
  ratios: {
    coldToTrivial: +(cold / trivial).toFixed(2),
    warmToTrivial: +(warm / trivial).toFixed(2),
    warmToWithoutGenerated: +(warm / handWritten).toFixed(2),
    latencyToWarm: +(latency / warm).toFixed(2),
    tenTargetsToOne: +(tenTargets / oneTarget).toFixed(2),
    compiledWarmToTrivial: +(compiledWarm / trivial).toFixed(2),
    compiledWorstFaultToWarm: +(compiledWorst / compiledWarm).toFixed(2),
  },
  requests: {
    total: Math.round(total),
    criticalPath: Math.round(criticalPath),
    checks: of('per-name/').length + of('whole-list/').length,
  },
  peakMemoryMiB: Math.round(peakBytes / 2 ** 20),
  peakMemoryEndlessAnswerMiB: Math.round(endlessPeakBytes / 2 ** 20),
  peakMemoryTenTargetsMiB: Math.round(manyPeakBytes / 2 ** 20),
  peakMemoryCompiledMiB: Math.round(compiledPeakBytes / 2 ** 20),
  faults,
};
mkdirSync(join(ROOT, 'reports'), { recursive: true });
writeFileSync(join(ROOT, 'reports/bench.json'), `${JSON.stringify(figures, null, 2)}\n`);
const s = figures.seconds;
const r = figures.ratios;
console.log(
  [
    `medians of ${RUNS} runs; ${figures.machine.cpus} × ${figures.machine.model}, Node ${figures.machine.node}`,
    `  trivial one-test Playwright run       ${s.trivial.toFixed(2)} s`,
    `  full run, cold (servers started)      ${s.fullCold.toFixed(2)} s   ${r.coldToTrivial}× trivial`,
    `  full run, warm (servers up)           ${s.fullWarm.toFixed(2)} s   ${r.warmToTrivial}× trivial ${against(r.warmToTrivial, GOALS.warmToTrivial, '×')}`,
    `  full run, warm, no generated checks   ${s.fullWarmWithoutGenerated.toFixed(2)} s   the generated checks add ${((r.warmToWithoutGenerated - 1) * 100).toFixed(0)}%`,
    `  full run, warm, 50 ms per request     ${s.fullWarmLatency50ms.toFixed(2)} s   ${r.latencyToWarm}× warm`,
    ...Object.entries(faults).map(
      ([rule, f]) =>
        `${`  verdict, ${f.what}`.padEnd(42)}${f.seconds.toFixed(2)} s   ${f.toWarm}× warm reference ${against(f.toWarm, GOALS.brokenToWarm, '×')} (${rule}: ${f.fault})`,
    ),
    `  compiled, as the npm package runs it:`,
    `    full run, warm                      ${s.compiledWarm.toFixed(2)} s   ${r.compiledWarmToTrivial}× trivial ${against(r.compiledWarmToTrivial, GOALS.warmToTrivial, '×')}`,
    `    verdict, ${slowest.id.padEnd(27)}${s.compiledWorstFault.toFixed(2)} s   ${r.compiledWorstFaultToWarm}× warm compiled ${against(r.compiledWorstFaultToWarm, GOALS.brokenToWarm, '×')}`,
    `    peak memory, one target             ${figures.peakMemoryCompiledMiB} MiB ${against(figures.peakMemoryCompiledMiB, GOALS.peakMemoryMiB, ' MiB')}`,
    `  one target / ${TARGETS} targets in one run    ${s.oneTarget.toFixed(2)} s / ${s.tenTargets.toFixed(2)} s   ${r.tenTargetsToOne}× ${against(r.tenTargetsToOne, GOALS.tenTargetsToOne, '×')}`,
    `  Prism mock start-up                   ${s.prismStart.toFixed(2)} s`,
    `  stateless subset against Prism        ${s.statelessOnPrism.toFixed(2)} s`,
    `  requests per full run                 ${figures.requests.total} (critical path ${figures.requests.criticalPath}, ${figures.requests.checks} checks)`,
    `  peak memory, one target (all processes) ${figures.peakMemoryMiB} MiB ${against(figures.peakMemoryMiB, GOALS.peakMemoryMiB, ' MiB')}`,
    `  peak memory, target answering endlessly ${figures.peakMemoryEndlessAnswerMiB} MiB (answers capped at 8 MiB)`,
    `  peak memory, ${TARGETS} targets in one run      ${figures.peakMemoryTenTargetsMiB} MiB ${against(figures.peakMemoryTenTargetsMiB, GOALS.peakMemoryTenTargetsMiB, ' MiB')}`,
    '  written to reports/bench.json',
  ].join('\n'),
);
