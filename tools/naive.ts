// `npm run naive [-- go flask express] [--seed N] [--seeds N]`: judges the naive servers in naive/ with the suite.
// Each stack is built and started on a free loopback port with two bots and random tokens, a second
// instance with no bots stands in for the other region, `npx playwright test` runs against them, and
// the servers are stopped. One line per stack and seed, the failed MUST rules under it, and
// reports/naive/summary.json. Tokens never reach the terminal: the suite redacts its own output,
// which goes to a log file anyway.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { ConformanceReport } from '../report/report-model.ts';
import { freePort } from './ports.ts';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'reports', 'naive');
const DEFAULT_SEED = 1;

interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}
interface Stack {
  name: string;
  /** Undefined when the toolchain is there, else what to install. */
  missing(): string | undefined;
  /**
   * Builds what needs building into `work` (a fresh temp folder), starts what the server needs (a
   * database, logging to `${logPrefix}-<what>.log`), and returns how to start one instance and how to
   * stop what it started.
   */
  prepare(
    work: string,
    logPrefix: string,
  ): Promise<{ launch: (instance: string) => Launch; cleanup?: () => Promise<void> }>;
}

const has = (command: string, args: string[]) => {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
};

// Debian's Flask lives in Debian's Python: a python3 earlier on PATH (pyenv) would not see it.
const PYTHON = '/usr/bin/python3';

const stacks: Stack[] = [
  {
    name: 'go',
    missing: () => (has('go', ['version']) ? undefined : 'no Go toolchain: apt-get install golang-go'),
    async prepare(work) {
      const bin = join(work, 'naive-go');
      // GOTOOLCHAIN=local: use the installed Go, never download another (no third-party modules either).
      const build = spawnSync('go', ['build', '-o', bin, '.'], {
        cwd: join(root, 'naive/go'),
        encoding: 'utf8',
        env: { ...process.env, GOTOOLCHAIN: 'local' },
      });
      if (build.status !== 0) throw new Error(`go build failed:\n${build.stderr}`);
      return { launch: () => ({ command: bin, args: [] }) };
    },
  },
  {
    name: 'flask',
    missing: () =>
      has(PYTHON, ['-c', 'import flask'])
        ? undefined
        : `no Flask for ${PYTHON} (Debian's Python, not a pyenv python3 on PATH): apt-get install python3-flask`,
    async prepare(work) {
      // One sqlite file per instance, thrown away with the temp folder.
      const app = join(root, 'naive/flask/app.py');
      return {
        launch: (instance) => ({ command: PYTHON, args: [app], env: { DATABASE: join(work, `${instance}.db`) } }),
      };
    },
  },
  {
    name: 'express',
    missing() {
      try {
        createRequire(join(root, 'package.json')).resolve('express');
        return undefined;
      } catch {
        return 'express is not installed: npm ci (it is a devDependency)';
      }
    },
    async prepare() {
      return { launch: () => ({ command: process.execPath, args: [join(root, 'naive/express/server.mjs')] }) };
    },
  },
  {
    name: 'python-stdlib',
    missing: () => (has(PYTHON, ['--version']) ? undefined : `no ${PYTHON}: apt-get install python3`),
    async prepare() {
      return { launch: () => ({ command: PYTHON, args: [join(root, 'naive/python-stdlib/server.py')] }) };
    },
  },
  {
    name: 'flask-mariadb',
    missing: () =>
      existsSync('/usr/sbin/mariadbd') && has(PYTHON, ['-c', 'import flask, pymysql'])
        ? undefined
        : `needs MariaDB and PyMySQL for ${PYTHON}: apt-get install mariadb-server python3-pymysql python3-flask`,
    async prepare(work, logPrefix) {
      const mariadb = await startMariadb(work, `${logPrefix}-mariadb.log`);
      return {
        launch: (instance) => ({
          command: PYTHON,
          args: [join(root, 'naive/flask-mariadb/app.py')],
          env: { MYSQL_UNIX_SOCKET: mariadb.socket, MYSQL_USER: 'root', MYSQL_DATABASE: `naive_${instance}` },
        }),
        cleanup: () => stop(mariadb.server),
      };
    },
  },
];

/**
 * A throw-away MariaDB in `work`: Debian's configuration files are read as they are (so its
 * utf8mb4_general_ci collation holds), only the data folder, socket and pid file are moved here, no
 * TCP port. root logs in through the socket, as on a fresh Debian install.
 */
async function startMariadb(work: string, log: string): Promise<{ socket: string; server: Running }> {
  const datadir = join(work, 'mariadb');
  const socket = join(work, 'mysqld.sock');
  const install = spawnSync(
    'mariadb-install-db',
    [`--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=socket'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--pid-file=${join(work, 'mysqld.pid')}`,
      '--skip-networking',
      '--user=root',
      `--log-error=${log}`,
    ],
    { stdio: 'ignore' },
  );
  const server: Running = { child, url: socket, exited: false };
  child.once('exit', () => {
    server.exited = true;
  });
  const sql = (q: string) => spawnSync('mariadb', ['-S', socket, '-u', 'root', '-e', q], { encoding: 'utf8' });
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && !server.exited; await sleep(200)) {
    if (sql('SELECT 1').status !== 0) continue;
    const created = sql('CREATE DATABASE naive_main; CREATE DATABASE naive_other');
    if (created.status !== 0) break;
    return { socket, server };
  }
  await stop(server);
  throw new Error(`MariaDB did not start; see ${log}`);
}

/** Both output streams into one file, closed once the process has closed both; settles then. */
function logTo(child: ChildProcess, file: WriteStream): Promise<void> {
  child.stdout!.pipe(file, { end: false });
  child.stderr!.pipe(file, { end: false });
  child.once('close', () => file.end());
  return new Promise((done) => file.once('close', () => done()));
}

const token = () => randomBytes(24).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `logged` settles when the log file has all the process wrote. */
interface Running {
  child: ChildProcess;
  url: string;
  exited: boolean;
  logged?: Promise<unknown>;
}

async function start(launch: Launch, bots: [string, string][], log: string): Promise<Running> {
  const port = await freePort();
  const logFile = createWriteStream(log);
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd ?? root,
    env: { ...process.env, ...launch.env, PORT: String(port), BOTS: bots.map(([b, t]) => `${b}:${t}`).join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logged = logTo(child, logFile);
  const running: Running = { child, url: `http://127.0.0.1:${port}`, exited: false, logged };
  child.once('exit', () => {
    running.exited = true;
  });
  // Ready when it answers anything over HTTP (a bot-less instance answers 401).
  const probe = `${running.url}/whatsapp/v1/${bots[0]?.[0] ?? 'nobody'}/provision/provider`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (running.exited) throw new Error(`the server exited before answering; see ${log}`);
    try {
      await fetch(probe, {
        headers: { authorization: `Bearer ${bots[0]?.[1] ?? 'x'}` },
        signal: AbortSignal.timeout(1000),
      });
      return running;
    } catch {
      await sleep(200);
    }
  }
  await stop(running);
  throw new Error(`the server did not answer within 30 s; see ${log}`);
}

async function stop(r: Running): Promise<void> {
  if (!r.exited) {
    const gone = new Promise((done) => r.child.once('exit', done));
    r.child.kill('SIGTERM');
    const t = setTimeout(() => r.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
  await r.logged;
}

let suite: ChildProcess | undefined;
let interrupted = false;
// Ctrl-C reaches the suite too (same process group): let it restore the bots' lists, then stop the servers.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    suite?.kill(signal);
  });
}

function runSuite(env: Record<string, string>, log: string): Promise<number> {
  return new Promise((done) => {
    const logFile = createWriteStream(log);
    suite = spawn('npx', ['playwright', 'test'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logged = logTo(suite, logFile);
    suite.once('exit', (code, signal) => logged.then(() => done(code ?? (signal ? 130 : 1))));
  });
}

interface RunResult {
  stack: string;
  seed: number;
  outcome: string;
  exitCode?: number;
  durationMs?: number;
  reportDir?: string;
  failedMust: { id: string; reason: string }[];
  failedShould: string[];
  undecidedMust: string[];
  error?: string;
}

const oneLine = (text = '', max = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A server may log what it was sent: the tokens are taken out of this run's log files all the same. */
function scrub(dir: string, prefix: string, secrets: string[]) {
  for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    const clean = secrets.reduce((t, s) => t.split(s).join('«redacted»'), text);
    if (clean !== text) writeFileSync(path, clean);
  }
}

async function judge(stack: Stack, seed: number, reportDir: string): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), `naive-${stack.name}-`));
  const logs = join(out, 'logs');
  mkdirSync(logs, { recursive: true });
  const servers: Running[] = [];
  let cleanup: (() => Promise<void>) | undefined;
  const started = Date.now();
  const bots: [string, string][] = [
    ['naive-bot-a', token()],
    ['naive-bot-b', token()],
  ];
  try {
    const prepared = await stack.prepare(work, join(logs, `${stack.name}-${seed}`));
    cleanup = prepared.cleanup;
    const launch = prepared.launch;
    servers.push(await start(launch('main'), bots, join(logs, `${stack.name}-${seed}-main.log`)));
    servers.push(await start(launch('other'), [], join(logs, `${stack.name}-${seed}-other-region.log`)));
    const [main, other] = servers;
    if (interrupted) throw new Error('interrupted');
    rmSync(reportDir, { recursive: true, force: true });
    const exitCode = await runSuite(
      {
        TARGET_URL: main.url,
        BOT_ID: bots[0][0],
        API_TOKEN: bots[0][1],
        SECOND_BOT_ID: bots[1][0],
        SECOND_API_TOKEN: bots[1][1],
        OTHER_REGION_URL: other.url,
        CONFORMANCE_SEED: String(seed),
        CONFORMANCE_REPORT_DIR: reportDir,
        // The servers live for one run on a random port: their lock, snapshot and found cases go with them.
        CONFORMANCE_STATE_DIR: join(work, 'state'),
      },
      join(logs, `${stack.name}-${seed}-suite.log`),
    );
    const file = join(reportDir, 'conformance.json');
    const base = {
      stack: stack.name,
      seed,
      exitCode,
      durationMs: Date.now() - started,
      reportDir: relative(root, reportDir),
    };
    const none = { failedMust: [], failedShould: [], undecidedMust: [] };
    if (!existsSync(file)) return { ...base, ...none, outcome: 'no verdict', error: `no ${file}; see the suite's log` };
    const v = JSON.parse(readFileSync(file, 'utf8')) as ConformanceReport;
    const failed = v.rules.filter((r) => r.status === 'failed');
    return {
      ...base,
      outcome: v.outcome,
      error: v.abortReason,
      failedMust: failed.filter((r) => r.level === 'MUST').map((r) => ({ id: r.id, reason: oneLine(r.reason) })),
      failedShould: v.rules
        .filter((r) => r.level === 'SHOULD' && r.status !== 'passed' && r.status !== 'skipped')
        .map((r) => r.id),
      // Blocked by another failure, or no check of the rule ran: neither passed nor failed.
      undecidedMust: v.rules
        .filter((r) => r.level === 'MUST' && r.status === 'skipped' && !r.excluded)
        .map((r) => r.id),
    };
  } catch (e) {
    return {
      stack: stack.name,
      seed,
      outcome: 'error',
      failedMust: [],
      failedShould: [],
      undecidedMust: [],
      error: (e as Error).message,
    };
  } finally {
    for (const s of servers) await stop(s);
    await cleanup?.();
    rmSync(work, { recursive: true, force: true });
    scrub(
      logs,
      `${stack.name}-${seed}-`,
      bots.map(([, t]) => t),
    );
  }
}

function parseArgs(argv: string[]) {
  const names: string[] = [];
  let seed = DEFAULT_SEED;
  let seeds = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!/^\d{1,15}$/.test(v ?? '')) throw new Error(`${a} needs a whole number`);
      return Number(v);
    };
    if (a === '--seed') seed = value();
    else if (a === '--seeds') seeds = Math.max(1, value());
    else if (stacks.some((s) => s.name === a)) names.push(a);
    else
      throw new Error(
        `unknown argument '${a}'; stacks: ${stacks.map((s) => s.name).join(', ')}; flags: --seed N, --seeds N`,
      );
  }
  return { chosen: names.length ? stacks.filter((s) => names.includes(s.name)) : stacks, seed, seeds };
}

async function main() {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const results: RunResult[] = [];
  const unavailable: { stack: string; install: string }[] = [];
  for (const stack of args.chosen) {
    const missing = stack.missing();
    if (missing) {
      console.log(`${stack.name.padEnd(13)} skipped: ${missing}`);
      unavailable.push({ stack: stack.name, install: missing });
      continue;
    }
    for (let n = 0; n < args.seeds && !interrupted; n++) {
      const seed = args.seed + n;
      // One seed: reports/naive/<stack>; several: a folder per seed under it.
      const reportDir = join(out, stack.name, ...(args.seeds > 1 ? [`seed-${seed}`] : []));
      const r = await judge(stack, seed, reportDir);
      results.push(r);
      const secs = r.durationMs ? ` (${(r.durationMs / 1000).toFixed(0)} s)` : '';
      const must = r.failedMust.length ? `, ${r.failedMust.length} MUST rule(s) failed` : '';
      const undecided = r.undecidedMust.length ? `, ${r.undecidedMust.length} MUST undecided` : '';
      const should = r.failedShould.length ? `; SHOULD not met: ${r.failedShould.join(', ')}` : '';
      const error = r.error ? ` — ${oneLine(r.error)}` : '';
      console.log(`${stack.name.padEnd(13)} seed ${seed}: ${r.outcome}${must}${undecided}${secs}${error}${should}`);
      for (const f of r.failedMust) console.log(`    ${f.id}: ${f.reason}`);
    }
  }
  // A narrowed run (`-- go`) replaces that stack's entries and keeps the other stacks' last results.
  const file = join(out, 'summary.json');
  const judged = new Set(args.chosen.map((s) => s.name));
  let kept: RunResult[] = [];
  try {
    kept = (JSON.parse(readFileSync(file, 'utf8')) as { results: RunResult[] }).results.filter(
      (r) => !judged.has(r.stack),
    );
  } catch {
    /* no summary yet */
  }
  mkdirSync(out, { recursive: true });
  const summary = { generatedAt: new Date().toISOString(), results: [...kept, ...results], unavailable };
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`summary: ${join('reports', 'naive', 'summary.json')}; suite and server logs: reports/naive/logs/`);
  // Failed verdicts are the expected news; an exit code of 1 means a stack could not be judged at all.
  const broken = unavailable.length > 0 || results.some((r) => r.outcome === 'error' || r.outcome === 'no verdict');
  process.exit(interrupted ? 130 : broken ? 1 : 0);
}

await main();
