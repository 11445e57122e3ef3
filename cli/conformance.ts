// The command-line entry (`npx whatsapp-media-provider-conformance --target URL --bot-id B --token T`):
// it maps flags to the suite's environment variables and runs the same Playwright suite, nothing
// else; the exit code is the suite's. Arguments after `--` go to `playwright test` (--shard, -g).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Env, handToWorkers, readEnvironment } from '../settings/environment.ts';
import { reportDir } from '../settings/run-flags.ts';
import { prepareRun, readShard } from '../settings/run-plan.ts';
import { readTargets } from '../settings/targets.ts';
import { COMPILED_RUN_ENV, EMBEDDED_VARIABLE, LAUNCHED_BY, SettingsError, VARIABLES } from '../settings/variables.ts';
import { EXIT, parsedArgs, UsageError } from '../settings/command-line.ts';
import { nearest } from '../settings/typos.ts';
import { packageInfo } from '../client/package-info.ts';
import { exitOf } from './exit-code.ts';
import { asUsage, FLAGS, type Variable } from '../settings/flags.ts';

const COMMANDS: [string, string][] = [
  ['run', 'judge a server (the default command): the flags below'],
  ['serve', 'start the reference server, a stateful fake of the API (--fault ID: a faulty one); serve --help'],
  [
    'merge',
    "merge shards' blob reports into every report, exiting with the run's verdict: merge FOLDER… (--report-dir)",
  ],
  ['rules', 'list the rules a server is held to (--json, --profile P)'],
  [
    'restore',
    'put back the providers a killed run left in its snapshot (the same target flags); --discard gives it up',
  ],
];

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = `  --${f.name}${f.value ? ` ${f.value}` : ''}`;
    const about = f.about ?? VARIABLES[f.variable];
    return `${left.padEnd(28)}${about}\n${''.padEnd(28)}env: ${f.variable}${f.value ? '' : '=1'}${f.repeatable ? ' (one a line)' : ''}`;
  });
  // The variables no flag sets: a secret a flag would show in `ps`, and settings of CI pipelines.
  const flagged = new Set<string>(FLAGS.map((f) => f.variable));
  const variablesOnly = (Object.keys(VARIABLES) as Variable[])
    .filter((v) => !flagged.has(v))
    .map((v) => `  ${v}\n${''.padEnd(28)}${VARIABLES[v]}`);
  return [
    'Usage: whatsapp-media-provider-conformance [command] [flags] [-- playwright test arguments]',
    '',
    'Runs the WhatsApp media-provider conformance suite. Without --target (or TARGET_URL) it runs',
    'against its embedded reference server. Flags win over their environment variables; a .env file',
    'and a conformance.config.json (or .yaml) in the working directory are read too.',
    '',
    'Commands:',
    ...COMMANDS.map(([name, about]) => `  ${name.padEnd(26)}${about}`),
    '',
    'Flags of run:',
    ...rows,
    '  -V, --version             the version of this suite',
    '  -h, --help                this text',
    '',
    'Variables without a flag:',
    ...variablesOnly,
    '',
    `Exit codes: ${EXIT.passed} passed; ${EXIT.failed} failed (a rule failed); ${EXIT.usage} usage (a bad flag, variable or config value,`,
    `found before anything starts, or a target URL that is not the API); ${EXIT.incomplete} incomplete (a MUST rule undecided); ${EXIT.aborted} aborted (unreachable target, refused`,
    "credentials, a bot held by another run). reports/conformance.json's outcome says the same.",
    'Example: whatsapp-media-provider-conformance --target http://localhost:8080 --bot-id B --token T -- --shard 1/2',
  ].join('\n');
}

const KNOWN_FLAGS = [...FLAGS.map((f) => `--${f.name}`), '--help', '--version', '--restore', '--discard'];

/** The environment the suite runs with: the caller's, with the flags applied. Throws UsageError. */
export function environmentFor(
  argv: string[],
  env: Env,
): {
  env: Record<string, string | undefined>;
  playwrightArgs: string[];
  help: boolean;
  version: boolean;
  restore: boolean;
  discard: boolean;
} {
  const options = Object.fromEntries(
    FLAGS.map((f) => [f.name, { type: f.value ? 'string' : 'boolean', multiple: Boolean(f.repeatable) } as const]),
  );
  const parsed = parsedArgs(
    {
      args: argv,
      options: {
        ...options,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
        restore: { type: 'boolean' },
        discard: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
      tokens: true,
    },
    KNOWN_FLAGS,
  );
  const terminator = parsed.tokens?.find((t) => t.kind === 'option-terminator');
  if (parsed.positionals.length && !terminator) {
    const guess = nearest(
      parsed.positionals[0],
      COMMANDS.map(([c]) => c),
    );
    throw new UsageError(
      `unknown command '${parsed.positionals[0]}'${guess ? `; did you mean ${guess}?` : ''} (arguments for playwright go after --)`,
    );
  }
  const out: Record<string, string | undefined> = { ...env };
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  for (const flag of FLAGS) {
    const value = values[flag.name];
    if (value === undefined || value === false) continue;
    if (value === true) {
      out[flag.variable] = '1';
      continue;
    }
    const texts = typeof value === 'string' ? [value] : value;
    for (const text of texts) flag.check?.(`--${flag.name}`, text);
    out[flag.variable] = texts.join('\n');
  }
  if (out.TARGET_URL && (!out.BOT_ID || !out.API_TOKEN))
    throw new UsageError('--target needs --bot-id and --token (or BOT_ID and API_TOKEN)');
  if (Boolean(out.SECOND_BOT_ID) !== Boolean(out.SECOND_API_TOKEN))
    throw new UsageError('--second-bot and --second-token go together');
  // Playwright's own --shard, given after --, is the suite's: the run then writes its blob and says its share.
  const playwrightArgs = [...parsed.positionals];
  const at = playwrightArgs.findIndex((a) => a === '--shard' || a.startsWith('--shard='));
  if (at >= 0) {
    const text = playwrightArgs[at].includes('=')
      ? playwrightArgs[at].slice('--shard='.length)
      : playwrightArgs[at + 1];
    playwrightArgs.splice(at, playwrightArgs[at].includes('=') ? 1 : 2);
    if (out.CONFORMANCE_SHARD && out.CONFORMANCE_SHARD !== text)
      throw new UsageError(`--shard ${out.CONFORMANCE_SHARD} and playwright's --shard ${text} disagree`);
    asUsage((t, f) => readShard(t, f))('--shard', text ?? '');
    out.CONFORMANCE_SHARD = text;
  }
  return {
    env: out,
    playwrightArgs,
    help: Boolean(values.help),
    version: Boolean(values.version),
    restore: Boolean(values.restore),
    discard: Boolean(values.discard),
  };
}

/**
 * Every setting checked before anything starts, as the run itself will read it (flags, variables,
 * .env, the configuration file): a SettingsError becomes a usage error naming what the user typed.
 */
function checkSettings(env: Env, caller: Env): void {
  try {
    const seen: Record<string, string | undefined> = { ...env, ...prepareRun(env).handoff };
    // The embedded reference gets its URL when it starts; any URL stands in for it here.
    if (seen[EMBEDDED_VARIABLE] === '1') seen.TARGET_URL = 'http://127.0.0.1';
    readTargets(seen);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    let message = e.message;
    // A value the command line set is named by its flag; one from the environment by its variable.
    for (const f of FLAGS)
      if (env[f.variable] !== caller[f.variable])
        message = message.replace(new RegExp(`\\b${f.variable}\\b`, 'g'), `--${f.name}`);
    throw new UsageError(message);
  }
}

function fail(e: unknown): never {
  if (!(e instanceof UsageError)) throw e;
  console.error(`error: ${e.message} (--help lists every command and flag)`);
  process.exit(EXIT.usage);
}

export async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  try {
    // Each command loads its own modules: a run's process keeps none of the faulty servers' or the merge's.
    if (first === 'serve') return await (await import('./subcommands.ts')).serve(rest);
    if (first === 'merge') process.exit(await (await import('./merge.ts')).merge(rest));
    if (first === 'rules') return (await import('./subcommands.ts')).rules(rest);
  } catch (e) {
    fail(e);
  }
  const runArgs = first === 'run' || first === 'restore' ? rest : argv;
  const caller = readEnvironment();
  let run: ReturnType<typeof environmentFor>;
  try {
    run = environmentFor(runArgs, caller);
    if (first === 'restore') run.restore = true;
    if (run.discard && !run.restore) throw new UsageError('--discard belongs to restore: restore --discard');
    if (!run.help && !run.version && !run.restore) checkSettings(run.env, caller);
  } catch (e) {
    fail(e);
  }
  if (run.help) {
    console.log(usage());
    return;
  }
  if (run.version) {
    console.log(packageInfo().version);
    return;
  }
  // The same as `npm run restore`; its messages then name this command.
  if (run.restore) {
    const { restoreTargets } = await import('../run/restore.ts');
    process.exit(await restoreTargets({ ...run.env, [LAUNCHED_BY]: 'cli' }, run.discard));
  }
  runPlaywright(run.env, run.playwrightArgs);
}

/**
 * Starts Playwright's runner on the suite's config in this process, as `playwright test` would: a
 * child process would leave this one waiting for the whole run with a Node process, its TypeScript
 * loader and these modules held for nothing (measured: about 90 MiB). Its exit code becomes the
 * verdict's (cli/exit-code.ts).
 */
function runPlaywright(env: Env, playwrightArgs: string[]): void {
  // Compiled into dist/ for the npm package, where the config is JavaScript too.
  const compiled = import.meta.url.endsWith('.js');
  const config = fileURLToPath(new URL(`../playwright.config.${compiled ? 'js' : 'ts'}`, import.meta.url));
  const require = createRequire(import.meta.url);
  const playwright = require.resolve('@playwright/test/cli');
  const startedAt = Date.now() - 1000; // file times can lag the clock a little
  // What the compiled suite runs with; a user's own value of each stands.
  const loader = compiled ? Object.fromEntries(Object.entries(COMPILED_RUN_ENV).map(([k, v]) => [k, env[k] ?? v])) : {};
  // LAUNCHED_BY: the suite's Reproduce lines then speak this command's flags, not Playwright's variables.
  handToWorkers({ ...env, ...loader, [LAUNCHED_BY]: 'cli' });
  // Whichever way the runner ends (Playwright calls process.exit), the verdict sets the code.
  process.on('exit', (code) => {
    process.exitCode = exitOf(reportDir(env), startedAt, code);
  });
  // Playwright's runner has no SIGTERM handler of its own: killed, the run stops there, aborted.
  process.on('SIGTERM', () => process.exit(1));
  process.argv = [process.execPath, playwright, 'test', '-c', config, ...playwrightArgs];
  require(playwright);
}
