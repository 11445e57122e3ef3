// What every part of the bench measures with: repetitions, seeds, medians, and suite runs that must
// end as expected (a benchmark of a run that went wrong would measure something else).
import { runSuite, type RunOptions, type SuiteRun } from '../selftest/support/run-suite.ts';

export const RUNS = Number(process.env.BENCH_RUNS) || 3;

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const seconds = (ms: number) => Math.round(ms) / 1000;
export const ratio = (a: number, b: number) => +(a / b).toFixed(2);
export const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
}

/** The i-th run of every measurement uses the i-th seed: two figures compared are the same searches. */
export const seedOf = (i: number) => String(1000 + i);

/** The median of `runs` timed runs, the i-th with seedOf(i); each time goes to stderr as it comes. */
export async function medianOf(what: string, run: (seed: string) => Promise<unknown>, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(() => run(seedOf(i)))).ms);
  process.stderr.write(`bench: ${what}: ${times.map((t) => seconds(t)).join(', ')} s\n`);
  return median(times);
}

/**
 * A suite run as the bench measures it: from the sources, as a clone's user runs it, unless a figure
 * says `sources: false` (the build the npm package ships; the self-tests' default).
 */
export const benchRun = (options: RunOptions): Promise<SuiteRun> => runSuite({ sources: true, ...options });

/** A suite run that must pass. */
export async function passingRun(options: RunOptions): Promise<SuiteRun> {
  const run = await benchRun(options);
  if (run.code !== 0) throw new Error(`a benchmark run failed (exit ${run.code}):\n${run.stdout.slice(-2000)}`);
  return run;
}

/** A suite run that must end in a verdict of failure (exit 1, a failed rule): a broken target's verdict. */
export async function failingRun(options: RunOptions, rule?: string): Promise<SuiteRun> {
  const run = await benchRun(options);
  const failed = run.report?.rules.filter((r) => r.status === 'failed').map((r) => r.id) ?? [];
  if (run.code !== 1 || run.report?.outcome !== 'failed' || (rule !== undefined && !failed.includes(rule)))
    throw new Error(
      `a benchmark run did not fail ${rule ?? 'a rule'} (exit ${run.code}, outcome ${run.report?.outcome}, failed ${failed.join(' ')}):\n${run.stdout.slice(-2000)}`,
    );
  return run;
}

/** The report's `generated`, whatever keys it has (new ones show up without a change here), nested ones flattened (`afterFailures.runs`). */
export const generatedOf = (run: SuiteRun): Record<string, number> => flat(run.report?.generated ?? {});

function flat(value: object, prefix = ''): Record<string, number> {
  return Object.fromEntries(
    Object.entries(value).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null ? Object.entries(flat(v, `${prefix}${k}.`)) : [[`${prefix}${k}`, Number(v)]],
    ),
  );
}

/** `generated` as `key value` pairs, in the report's order. */
export const generatedText = (g: Record<string, number>) =>
  Object.keys(g).length
    ? Object.entries(g)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : 'none';
