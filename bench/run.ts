// npm run bench: how long a verdict takes and what a run holds, measured in one run so that ratios are
// fair. It asserts nothing about speed; it writes reports/bench.json and prints each figure beside its
// target. BENCH_RUNS (3) runs of each figure, BENCH_LATENCY_RUNS (1) at each added latency,
// BENCH_LATENCIES (0,50,150 ms), BENCH_PARTS (latency,memory,faults,time,other: the parts to run),
// BENCH_FAULT_LATENCY (0 ms: the many-fault servers and their reference, added to every answer).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { EndlessAnswer, faultOf, type Fault } from '../faulty/catalogue.ts';
import { prismArgs } from '../mock/cli.ts';
import { buildCompiledSuite } from '../selftest/support/compiled-suite.ts';
import { ROOT, cleanEnv } from '../selftest/support/run-suite.ts';
import { removeScratch } from '../selftest/support/scratch.ts';
import { configFor, startTarget } from '../selftest/support/servers.ts';
import { freePort } from '../tools/ports.ts';
import { latencyTable, type Distance } from './latency.ts';
import { manyFaultVerdicts, type Verdict } from './many-fault.ts';
import {
  RUNS,
  benchRun,
  failingRun,
  generatedText,
  median,
  medianOf,
  mib,
  passingRun,
  ratio,
  seconds,
  seedOf,
  timed,
} from './measure.ts';
import { memorySideBySide, peakMemoryOf, type Peak, type SideBySide } from './memory.ts';
import { plainTime, type PlainTime } from './plain-time.ts';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'latency,memory,faults,time,other').split(','));

/** The bounds each figure is held to: issue #36's, and those of #23 still standing. */
const GOALS = {
  latency50ToLoopback: 3,
  latency150ToLoopback: 5,
  manyFaultToReference: 2,
  peakToTrivialTwoWorkers: 1.6,
  manyFaultMustRules: 8,
  brokenToWarm: 1.5,
  tenTargetsToOne: 3,
  peakMemoryTenTargetsMiB: 600,
};
const against = (value: number, goal: number, unit = '×', at = '≤') =>
  `(target ${at} ${goal}${unit}: ${(at === '≤' ? value <= goal : value >= goal) ? 'met' : 'not met'})`;

// ── the figures of #23 that still stand: the generated checks' share, broken targets, the compiled
// path the npm package runs, ten targets in one run, the Prism mock, memory under an endless answer.

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
    const env = { TARGET_URL: `http://127.0.0.1:${port}`, BOT_ID: 'bench-bot', API_TOKEN: 'bench-token' };
    subsets.push((await timed(() => passingRun({ env: { ...env, CONFORMANCE_STATELESS: '1' } }))).ms);
    prism.kill('SIGTERM');
    await new Promise((r) => prism.on('close', r));
  }
  return { startMs: median(starts), statelessMs: median(subsets) };
}

async function otherFigures() {
  const reference = await startTarget();
  const warm = await medianOf('full run, warm (servers up)', (seed) =>
    passingRun({ env: { ...reference.env, CONFORMANCE_SEED: seed } }),
  );
  // The generated checks' share: the same warm run with CONFORMANCE_BUDGET=0 leaves them out.
  const handWritten = await medianOf('full run, warm, without the generated checks', (seed) =>
    passingRun({ env: { ...reference.env, CONFORMANCE_BUDGET: '0', CONFORMANCE_SEED: seed } }),
  );
  await reference.close();

  // Broken targets of one fault each, by the rule they break (faultOf): a GET body of the wrong shape,
  // bad credentials answered with a status AUTH-WRONG-TOKEN does not allow, every refusal a 422.
  const slowest = faultOf('POST-400-WRONG-TYPE', (f) => f.id === '422-quotes-input');
  const brokenTargets: { what: string; fault: Fault }[] = [
    { what: 'GET body of a wrong shape', fault: faultOf('GET-200-SHAPE') },
    { what: 'bad credentials, wrong status', fault: faultOf('AUTH-WRONG-TOKEN', (f) => f.wrongStatus !== undefined) },
    { what: 'every refusal a 422', fault: slowest },
  ];
  const faults: Record<string, { what: string; fault: string; seconds: number; toWarm: number }> = {};
  for (const { what, fault } of brokenTargets) {
    const target = await startTarget(fault.App);
    const time = await medianOf(`verdict of the faulty server ${fault.id} (${fault.rule})`, (seed) =>
      failingRun({ env: { ...target.env, CONFORMANCE_SEED: seed } }, fault.rule),
    );
    await target.close();
    faults[fault.rule] = { what, fault: fault.id, seconds: seconds(time), toWarm: ratio(time, warm) };
  }

  // Compiled to JavaScript as the npm package (and the Action) runs it, without Playwright's
  // TypeScript loader in each worker.
  buildCompiledSuite();
  const compiledReference = await startTarget();
  const compiledWarm = await medianOf('full run, warm, compiled', (seed) =>
    passingRun({ sources: false, env: { ...compiledReference.env, CONFORMANCE_SEED: seed } }),
  );
  await compiledReference.close();
  const slowestTarget = await startTarget(slowest.App);
  const compiledWorst = await medianOf(`verdict of the faulty server ${slowest.id}, compiled`, (seed) =>
    failingRun({ sources: false, env: { ...slowestTarget.env, CONFORMANCE_SEED: seed } }, slowest.rule),
  );
  await slowestTarget.close();
  const compiledPeak = await peakMemoryOf(passingRun, { sources: false, env: { CONFORMANCE_SEED: seedOf(0) } });

  // Ten references judged in one run, against one of them alone (both through a configuration file).
  const TARGETS = 10;
  const many = await Promise.all(Array.from({ length: TARGETS }, () => startTarget()));
  const config = configFor(many.map((target, i) => ({ name: `target-${i + 1}`, target })));
  const oneTarget = await medianOf('one target, through a configuration file', (seed) =>
    passingRun({
      env: { ...configFor([{ name: 'target-1', target: many[0] }]).env, CONFORMANCE_SEED: seed },
    }),
  );
  const tenTargets = await medianOf(`${TARGETS} targets in one run`, (seed) =>
    passingRun({ env: { ...config.env, CONFORMANCE_SEED: seed } }),
  );
  const tenPeak = await peakMemoryOf(passingRun, {
    env: { ...config.env, CONFORMANCE_SEED: seedOf(0) },
  });
  await Promise.all(many.map((t) => t.close()));

  // A target whose answer never ends (faulty/catalogue.ts, endless-answer): the cap bounds what a worker holds.
  const endless = await startTarget(EndlessAnswer);
  const endlessPeak = await peakMemoryOf(benchRun, { env: endless.env });
  await endless.close();
  const prism = await prismFigures();
  return {
    seconds: {
      fullWarm: seconds(warm),
      fullWarmWithoutGenerated: seconds(handWritten),
      compiledWarm: seconds(compiledWarm),
      compiledWorstFault: seconds(compiledWorst),
      oneTarget: seconds(oneTarget),
      tenTargets: seconds(tenTargets),
      prismStart: seconds(prism.startMs),
      statelessOnPrism: seconds(prism.statelessMs),
    },
    ratios: {
      warmToWithoutGenerated: ratio(warm, handWritten),
      compiledWorstFaultToWarm: ratio(compiledWorst, compiledWarm),
      tenTargetsToOne: ratio(tenTargets, oneTarget),
    },
    faults,
    worstFault: slowest.id,
    peakMemoryMiB: {
      compiled: mib(compiledPeak.bytes),
      tenTargets: mib(tenPeak.bytes),
      endlessAnswer: mib(endlessPeak.bytes),
    },
  };
}

// ── the table

const s2 = (x: number) => `${x.toFixed(2)} s`.padStart(9);
const byProcess = (p: Peak) => p.byProcess.map((h) => `${h.role} ${mib(h.bytes)}`).join(', ');

function latencyLines(table: Distance[]): string[] {
  const goals: Record<number, number> = { 50: GOALS.latency50ToLoopback, 150: GOALS.latency150ToLoopback };
  const goal = (d: Distance) => (goals[d.latencyMs] ? against(d.toLoopback, goals[d.latencyMs]) : '');
  const failed = (d: Distance) =>
    d.runs.some((r) => r.outcome !== 'passed') ? ` runs: ${d.runs.map((r) => r.outcome).join(', ')}` : '';
  const deepest = table.at(-1)!;
  return [
    'Latency (#36): full runs against the reference, the latency added to every answer; the same seeds at each',
    '  chain: the longest chain of answers waited for one after another (told apart from mere order only where',
    '  latency is added); floor: chain × latency, what that chain alone lasts; requests: all the reference served',
    '  added      wall   chain     floor  requests  × loopback',
    ...table.map(
      (d) =>
        `  ${`${d.latencyMs} ms`.padEnd(7)}${s2(d.seconds)}${(d.latencyMs ? String(d.chain) : '—').padStart(8)}${(d.latencyMs ? s2(d.floorSeconds) : '—').padStart(10)}${String(d.runs[0].requests).padStart(10)}  ${`${d.toLoopback}×`.padEnd(7)}${goal(d)}${failed(d)}`,
    ),
    ...table.map(
      (d) =>
        `  generated at ${d.latencyMs} ms: ${generatedText(d.runs[0].generated)}${d.latencyMs ? (d.sameGenerated ? ' (as at 0 ms)' : ' (NOT as at 0 ms)') : ''}`,
    ),
    ...table
      .filter((d) => d.latencyMs)
      .map(
        (d) =>
          `  at ${d.latencyMs} ms the ${d.alone} answers the checks of the whole list wait for, one check at a time, last ${s2(d.aloneSeconds).trim()}: this design's floor under the chain, the loopback run's work aside`,
      ),
    ...table
      .filter((d) => d.latencyMs)
      .map(
        (d) =>
          `  this design's floor at ${d.latencyMs} ms: loopback ${s2(table[0].seconds).trim()} + first check ${(d.firstCheck - table[0].firstCheck).toFixed(2)} s later + the whole list's ${s2(d.aloneSeconds).trim()} = ${s2(d.designFloor.seconds).trim()}, ${d.designFloor.toLoopback}× loopback (the checks on names of their own waiting for nothing)${goals[d.latencyMs] ? `: the target ${goals[d.latencyMs]}× lies ${d.designFloor.toLoopback <= goals[d.latencyMs] ? 'above' : 'below'} it` : ''}; measured ${d.toLoopback}×`,
      ),
    `  longest chains at ${deepest.latencyMs} ms: ${deepest.topChecks.map((c) => `${c.check} ${c.chain} of ${c.requests}`).join('; ')}`,
  ];
}

function memoryLines(m: SideBySide): string[] {
  return [
    `Memory (#36): peak resident set summed over the run's processes (median of ${m.runs}), MiB, and who held it`,
    `  trivial run, 2 workers, 2 .mjs tests ${String(mib(m.trivialTwoWorkers.bytes)).padStart(5)}  ${byProcess(m.trivialTwoWorkers)}`,
    `  full run, embedded reference         ${String(mib(m.fullEmbedded.bytes)).padStart(5)}  ${byProcess(m.fullEmbedded)}`,
    `  ratio ${m.ratio}× ${against(m.ratio, GOALS.peakToTrivialTwoWorkers)}; the full run's runner holds the embedded reference and the reporters`,
  ];
}

function faultLines(f: { reference: { seconds: number; generated: Record<string, number> }; servers: Verdict[] }) {
  return [
    `Many-fault servers (#36): verdict against the reference, the same seeds, servers up alike${faultLatency ? `, ${faultLatency} ms added to every answer` : ''}`,
    `  reference            ${s2(f.reference.seconds)}  generated: ${generatedText(f.reference.generated)}`,
    ...f.servers.flatMap((v) => [
      `  ${v.name.padEnd(20)} ${s2(v.seconds)}  ${v.toReference}× ${against(v.toReference, GOALS.manyFaultToReference)}; ${v.failedMust.length} MUST rules failed ${against(v.failedMust.length, GOALS.manyFaultMustRules, '', '≥')}, ${v.faults.length} faults`,
      `  ${''.padEnd(20)} generated: ${generatedText(v.generated)}`,
    ]),
  ];
}

function timeLines(t: PlainTime): string[] {
  const s = t.seconds;
  const p = t.phases;
  const spread = (xs: number[] = []) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} s`;
  // A single run's difference can come out below zero on a busy machine: then it is less than the spread.
  const npxCost = (x: number) => (x > 0 ? `${x.toFixed(2)} s a command` : `none above the spread (${x.toFixed(2)} s)`);
  const npx =
    s.plainFull !== undefined && s.plainTrivial !== undefined
      ? [
          `  time npx playwright test: ${s.plainFull.toFixed(2)} s, ${t.ratios.plainFullToTrivial}× time npx playwright test -c bench/trivial/playwright.config.ts (${s.plainTrivial.toFixed(2)} s)`,
          `  - the bench runs node …/cli.js test, without npx: ${s.fullCold.toFixed(2)} s and ${s.trivial.toFixed(2)} s here; npx's own start, from the trivial pair: ${npxCost(s.plainTrivial - s.trivial)}`,
        ]
      : ['  (no npx beside this Node: the plain `time` figures are left out)'];
  return [
    `Why the figures differ from a plain \`time\` (spawn to exit, medians of ${t.runs} runs; a \`time\` is one run)`,
    ...npx,
    `  - the bench's full run: ${s.fullCold.toFixed(2)} s with the embedded servers started by the run (cold), ${s.fullWarm.toFixed(2)} s against servers already up (warm, as in every other figure here): ${(s.fullCold - s.fullWarm).toFixed(2)} s apart; ${t.ratios.coldToTrivial}× / ${t.ratios.warmToTrivial}× the trivial run (${s.trivial.toFixed(2)} s)`,
    `  - a cold run: ${p.startUp.toFixed(2)} s from spawn to its first line (Node, Playwright, the config, the global setup, the checks' files), ${p.testing.toFixed(2)} s testing, ${p.end.toFixed(2)} s to exit (reports, restore): ${Math.round((100 * (p.startUp + p.end)) / s.fullCold)}% of the wall is outside the checks and counts in both terms of a ratio`,
    `  - conformance.json's durationMs (Playwright's own) says ${p.reportDuration.toFixed(2)} s: it leaves out Node's and the config's start and the exit`,
    `  - runs vary: the cold runs took ${spread(t.all.fullCold)}, the warm ${spread(t.all.fullWarm)}`,
    "  - latency here is the reference's, added to each answer: a TCP or TLS handshake costs none, a distant target's costs round trips of its own",
  ];
}

function otherLines(o: Awaited<ReturnType<typeof otherFigures>>): string[] {
  const s = o.seconds;
  const r = o.ratios;
  return [
    'Still standing from #23',
    `  full run, warm                          ${s2(s.fullWarm)}`,
    `  full run, warm, no generated checks     ${s2(s.fullWarmWithoutGenerated)}  the generated checks add ${Math.round((r.warmToWithoutGenerated - 1) * 100)}%`,
    ...Object.entries(o.faults).map(
      ([rule, f]) =>
        `${`  verdict, ${f.what}`.padEnd(42)}${s2(f.seconds)}  ${f.toWarm}× warm ${against(f.toWarm, GOALS.brokenToWarm)} (${rule}: ${f.fault})`,
    ),
    `  compiled: full run, warm                ${s2(s.compiledWarm)}`,
    `  compiled: verdict, ${o.worstFault.padEnd(21)}${s2(s.compiledWorstFault)}  ${r.compiledWorstFaultToWarm}× warm compiled ${against(r.compiledWorstFaultToWarm, GOALS.brokenToWarm)}`,
    `  one target / ten targets in one run     ${s2(s.oneTarget)} / ${s.tenTargets.toFixed(2)} s  ${r.tenTargetsToOne}× ${against(r.tenTargetsToOne, GOALS.tenTargetsToOne)}`,
    `  Prism start-up; stateless subset on it  ${s2(s.prismStart)}; ${s.statelessOnPrism.toFixed(2)} s`,
    `  peak memory: compiled ${o.peakMemoryMiB.compiled} MiB; ten targets ${o.peakMemoryMiB.tenTargets} MiB ${against(o.peakMemoryMiB.tenTargets, GOALS.peakMemoryTenTargetsMiB, ' MiB')}; an endless answer ${o.peakMemoryMiB.endlessAnswer} MiB (answers capped at 8 MiB)`,
  ];
}

// ── the run: each part in turn, alone on the machine

const latency = PARTS.has('latency') ? await latencyTable() : undefined;
const memory = PARTS.has('memory') ? await memorySideBySide(RUNS, seedOf) : undefined;
const faultLatency = Number(process.env.BENCH_FAULT_LATENCY ?? 0);
const faults = PARTS.has('faults') ? await manyFaultVerdicts(RUNS, faultLatency) : undefined;
const time = PARTS.has('time') ? await plainTime() : undefined;
const other = PARTS.has('other') ? await otherFigures() : undefined;
removeScratch(); // the runs' report and state folders

const cpus = os.cpus();
const figures = {
  goals: GOALS,
  machine: {
    cpus: cpus.length,
    model: cpus[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  },
  runs: RUNS,
  latency,
  memory: memory && {
    ...memory,
    trivialTwoWorkersMiB: mib(memory.trivialTwoWorkers.bytes),
    fullEmbeddedMiB: mib(memory.fullEmbedded.bytes),
  },
  manyFault: faults && { latencyMs: faultLatency, ...faults },
  plainTime: time,
  other,
};
mkdirSync(join(ROOT, 'reports'), { recursive: true });
writeFileSync(join(ROOT, 'reports/bench.json'), `${JSON.stringify(figures, null, 2)}\n`);
console.log(
  [
    `bench: medians of ${RUNS} runs (each added latency: ${latency?.at(-1)?.runs.length ?? 0}); ${cpus.length} × ${cpus[0]?.model}, Node ${process.version}`,
    ...(latency ? latencyLines(latency) : []),
    ...(memory ? memoryLines(memory) : []),
    ...(faults ? faultLines(faults) : []),
    ...(time ? timeLines(time) : []),
    ...(other ? otherLines(other) : []),
    'written to reports/bench.json',
  ].join('\n'),
);
