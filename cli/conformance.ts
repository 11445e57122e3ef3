// The command-line entry (`npx whatsapp-media-provider-conformance --target URL --bot-id B --token T`):
// it maps flags to the suite's environment variables and runs the same Playwright suite, nothing
// else; the exit code is the suite's. Arguments after `--` go to `playwright test` (--shard, -g).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LAUNCHED_BY, readBudget, readRules, VARIABLES } from '../suite/settings.ts';
import { UsageError, integerFlag, profileFlag } from './flags.ts';

type Variable = keyof typeof VARIABLES;

interface Flag { name: string; variable: Variable; value?: string; check?: (flag: string, text: string) => void; about?: string }

/** Every flag, with its environment-variable twin; --help prints this table. */
export const FLAGS: Flag[] = [
  { name: 'target', variable: 'TARGET_URL', value: 'URL', check: url },
  { name: 'bot-id', variable: 'BOT_ID', value: 'ID' },
  { name: 'token', variable: 'API_TOKEN', value: 'TOKEN', about: "that bot's API token (prefer the variable: a flag shows in `ps`)" },
  { name: 'second-bot', variable: 'SECOND_BOT_ID', value: 'ID' },
  { name: 'second-token', variable: 'SECOND_API_TOKEN', value: 'TOKEN' },
  { name: 'other-region-url', variable: 'OTHER_REGION_URL', value: 'URL', check: url },
  { name: 'profile', variable: 'CONFORMANCE_PROFILE', value: 'P', check: (f, t) => void profileFlag(f, t) },
  { name: 'strict', variable: 'CONFORMANCE_STRICT' },
  { name: 'seed', variable: 'CONFORMANCE_SEED', value: 'N', check: (f, t) => void integerFlag(f, t, Number.MAX_SAFE_INTEGER) },
  { name: 'rule', variable: 'CONFORMANCE_RULES', value: 'ID[,ID]', about: 'only the checks of these rules (the Reproduce line of a failure names one)', check: rules },
  { name: 'skip-rule', variable: 'CONFORMANCE_SKIP_RULES', value: 'ID[,ID]', about: 'leave these rules out on purpose (a run passes only when every MUST rule it keeps was decided)', check: rules },
  { name: 'budget', variable: 'CONFORMANCE_BUDGET', value: 'B', about: "what each generated check may spend: runs ('25'), time ('90s', '5m'), or 0 for none", check: budget },
  { name: 'timeout-ms', variable: 'CONFORMANCE_TIMEOUT_MS', value: 'N', check: (f, t) => void integerFlag(f, t, 600_000) },
  { name: 'ca-file', variable: 'CONFORMANCE_CA_FILE', value: 'FILE' },
  { name: 'insecure', variable: 'CONFORMANCE_INSECURE' },
  { name: 'stateless', variable: 'CONFORMANCE_STATELESS' },
  { name: 'report-dir', variable: 'CONFORMANCE_REPORT_DIR', value: 'DIR' },
  { name: 'workers', variable: 'CONFORMANCE_WORKERS', value: 'N', check: (f, t) => void integerFlag(f, t, 64) },
  { name: 'config', variable: 'CONFORMANCE_CONFIG', value: 'FILE', about: 'a configuration file of targets (several in one run) and settings; tokens by variable name' },
];

function rules(flag: string, text: string): void {
  try {
    readRules(text, flag);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function budget(flag: string, text: string): void {
  try {
    readBudget(text, flag);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function url(flag: string, text: string): void {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL; got '${text}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL; got '${text}'`);
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = `  --${f.name}${f.value ? ` ${f.value}` : ''}`;
    const about = f.about ?? VARIABLES[f.variable];
    return `${left.padEnd(28)}${about}\n${''.padEnd(28)}env: ${f.variable}${f.value ? '' : '=1'}`;
  });
  return [
    'Usage: whatsapp-media-provider-conformance [flags] [-- playwright test arguments]',
    '',
    'Runs the WhatsApp media-provider conformance suite. Without --target (or TARGET_URL) it runs',
    'against its embedded reference server. Flags win over their environment variables; a .env file',
    'in the working directory is read too.',
    '',
    ...rows,
    '  --restore                 put back the providers a killed run left in its snapshot, then exit',
    '  --version                 the version of this suite',
    '  --help                    this text',
    '',
    'Exit code: 0 when no MUST rule failed (strict: no MUST or SHOULD), 1 otherwise, 2 for a bad flag.',
    'Example: whatsapp-media-provider-conformance --target http://localhost:8080 --bot-id B --token T -- --shard 1/2',
  ].join('\n');
}

/** The environment the suite runs with: the caller's, with the flags applied. Throws UsageError. */
export function environmentFor(argv: string[], env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; playwrightArgs: string[]; help: boolean; version: boolean; restore: boolean } {
  const options = Object.fromEntries(FLAGS.map((f) => [f.name, { type: f.value ? 'string' : 'boolean' } as const]));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' }, version: { type: 'boolean' }, restore: { type: 'boolean' } }, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const terminator = parsed.tokens?.find((t) => t.kind === 'option-terminator');
  if (parsed.positionals.length && !terminator) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'; arguments for playwright go after --`);
  const out: NodeJS.ProcessEnv = { ...env };
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const flag of FLAGS) {
    const value = values[flag.name];
    if (value === undefined || value === false) continue;
    if (typeof value === 'string') flag.check?.(`--${flag.name}`, value);
    out[flag.variable] = value === true ? '1' : value;
  }
  if (out.TARGET_URL && (!out.BOT_ID || !out.API_TOKEN)) throw new UsageError('--target needs --bot-id and --token (or BOT_ID and API_TOKEN)');
  if (Boolean(out.SECOND_BOT_ID) !== Boolean(out.SECOND_API_TOKEN)) throw new UsageError('--second-bot and --second-token go together');
  return { env: out, playwrightArgs: parsed.positionals, help: Boolean(values.help), version: Boolean(values.version), restore: Boolean(values.restore) };
}

export async function main(argv: string[]): Promise<void> {
  let run;
  try {
    run = environmentFor(argv, process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (run.help) {
    console.log(usage());
    return;
  }
  if (run.version) {
    // package.json sits next to cli/ in the repository and next to dist/ in the package.
    const require = createRequire(import.meta.url);
    const path = ['../package.json', '../../package.json'].find((p) => { try { return require(p).name === 'whatsapp-media-provider-conformance'; } catch { return false; } })!;
    console.log((require(path) as { version: string }).version);
    return;
  }
  if (run.restore) {
    process.env = run.env;
    await import('../suite/restore-cli.ts'); // the same command as `npm run restore`
    return;
  }
  // Compiled into dist/ for the npm package, where the config is JavaScript too.
  const config = fileURLToPath(new URL(`../playwright.config.${import.meta.url.endsWith('.js') ? 'js' : 'ts'}`, import.meta.url));
  const playwright = createRequire(import.meta.url).resolve('@playwright/test/cli');
  // The suite's Reproduce lines then speak this command's flags, not Playwright's variables.
  const child = spawn(process.execPath, [playwright, 'test', '-c', config, ...run.playwrightArgs], { stdio: 'inherit', env: { ...run.env, [LAUNCHED_BY]: 'cli' } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
