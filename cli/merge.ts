// `merge FOLDER…`: the blob reports of a run's shards (--shard I/N), from wherever a pipeline gathered
// them, merged into the reports one unsharded run writes; the exit code is the merged verdict's.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsedArgs, UsageError } from '../settings/command-line.ts';
import { readEnvironment } from '../settings/environment.ts';
import { reportDir } from '../settings/run-flags.ts';
import { exitOf } from './exit-code.ts';

export const MERGE_USAGE = `Usage: whatsapp-media-provider-conformance merge FOLDER… [--report-dir DIR]

Merges the blob reports that shards of a run wrote (--shard I/N puts each under REPORT_DIR/blob/)
into the reports of one run: conformance.json, conformance.html, junit.xml and the HTML report, in
--report-dir (CONFORMANCE_REPORT_DIR, default ./reports). Each FOLDER is searched for .zip blobs at
any depth, as an artifact download leaves them. Exits with the merged verdict's code.`;

/** Every blob under `dir`, at any depth. */
function blobsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.zip'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

export async function merge(argv: string[]): Promise<number> {
  const { values, positionals } = parsedArgs(
    {
      args: argv,
      options: { 'report-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    },
    ['--report-dir', '--help'],
  );
  if (values.help) {
    console.log(MERGE_USAGE);
    return 0;
  }
  if (!positionals.length) throw new UsageError("merge needs the folders that hold the shards' blob reports");
  const blobs = positionals.flatMap((folder) => {
    if (!existsSync(folder) || !statSync(folder).isDirectory())
      throw new UsageError(`merge: ${resolve(folder)} is not a folder`);
    return blobsUnder(folder);
  });
  if (!blobs.length)
    throw new UsageError(
      `merge: no blob report (.zip) under ${positionals.map((f) => resolve(f)).join(', ')}; a shard run (--shard I/N) writes one under its REPORT_DIR/blob/`,
    );
  // Merged from one folder, as Playwright's merge-reports takes them: a blob of the same name twice is a shard given twice.
  const byName = new Map<string, string>();
  for (const blob of blobs) {
    const twin = byName.get(basename(blob));
    if (twin) throw new UsageError(`merge: ${twin} and ${blob} are the same shard's blob; give each shard once`);
    byName.set(basename(blob), blob);
  }
  const gathered = mkdtempSync(join(tmpdir(), 'conformance-merge-'));
  try {
    for (const [name, blob] of byName) copyFileSync(blob, join(gathered, name));
    const env = { ...readEnvironment() };
    if (values['report-dir']) env.CONFORMANCE_REPORT_DIR = values['report-dir'];
    const reports = reportDir(env);
    const compiled = import.meta.url.endsWith('.js');
    const config = fileURLToPath(new URL(`../merge.config.${compiled ? 'js' : 'ts'}`, import.meta.url));
    const playwright = createRequire(import.meta.url).resolve('@playwright/test/cli');
    console.log(`merge: ${byName.size} blob report${byName.size > 1 ? 's' : ''} into ${reports}`);
    const startedAt = Date.now() - 1000;
    const code = await new Promise<number>((done) =>
      spawn(process.execPath, [playwright, 'merge-reports', '-c', config, gathered], {
        stdio: 'inherit',
        env: { ...env, CONFORMANCE_REPORT_DIR: reports },
      }).on('exit', (c, signal) => done(c ?? (signal ? 1 : 0))),
    );
    return exitOf(reports, startedAt, code);
  } finally {
    rmSync(gathered, { recursive: true, force: true });
  }
}
