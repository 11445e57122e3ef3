// npm run reference -- --port 0 --bots bot-a:token-a,bot-b:token-b
// This command line is fixed: other tools start the reference server with it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILES } from '../contract/openapi.ts';
import { UsageError, integerFlag, parsedArgs, portFlag, profileFlag } from '../settings/command-line.ts';
import { serve } from './serve.ts';
import { ReferenceApp, type ReferenceOptions } from './app.ts';

/** Generated tokens: 24 random bytes, 32 base64url characters (redaction finds a secret of 8 or more anywhere). */
const TOKEN_LENGTH = 32;
const newToken = () => randomBytes((TOKEN_LENGTH * 3) / 4).toString('base64url');
const DEFAULT_BOTS = ['bot-a', 'bot-b'];

export const USAGE = `Usage: npm run reference -- [options]

  --port N          port on 127.0.0.1; 0 picks a free one (REFERENCE_PORT, default 0)
  --bots LIST       bot-id:token pairs, comma-separated; '' for a region where
                    no bot resides (REFERENCE_BOTS; default: bot-a and bot-b
                    with random tokens of ${TOKEN_LENGTH} characters, written to a file
                    only you can read, as TARGET_URL, BOT_ID, API_TOKEN, ...)
  --show-tokens     print the bots' tokens too (never printed otherwise)
  --profile P       ${PROFILES.join(' | ')} (REFERENCE_PROFILE, default default)
  --latency-ms N    delay every answer by N ms (REFERENCE_LATENCY_MS, default 0)
  --quiet           no per-request log lines
  --help            this text

Prints "listening on http://127.0.0.1:<port>" once it accepts requests.`;

const OPTIONS = {
  port: { type: 'string' },
  bots: { type: 'string' },
  profile: { type: 'string' },
  'latency-ms': { type: 'string' },
  quiet: { type: 'boolean' },
  'show-tokens': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export interface CliSettings {
  port: number;
  options: ReferenceOptions;
  help: boolean;
  /** Where the bots' tokens come from: the flag, its variable, or generated here. */
  tokensFrom: '--bots' | 'REFERENCE_BOTS' | 'generated';
  showTokens: boolean;
}

/** Flags win over their environment twins. Throws UsageError naming the bad flag. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): CliSettings {
  const { values } = parsedArgs(
    { args: argv, options: OPTIONS, strict: true, allowPositionals: false },
    Object.keys(OPTIONS).map((o) => `--${o}`),
  );
  const port = portFlag('--port', values.port ?? env.REFERENCE_PORT ?? '0');
  const latencyMs = integerFlag('--latency-ms', values['latency-ms'] ?? env.REFERENCE_LATENCY_MS ?? '0', 60_000);
  const profile = profileFlag('--profile', values.profile ?? env.REFERENCE_PROFILE ?? 'default');
  const given = values.bots ?? env.REFERENCE_BOTS;
  // No bots given: tokens nobody could guess, never a fixed one a server left running would take.
  const bots = given === undefined ? new Map(DEFAULT_BOTS.map((b) => [b, newToken()])) : parseBots(given);
  return {
    port,
    help: values.help ?? false,
    options: { bots, profile, latencyMs, log: values.quiet ? undefined : (line) => console.log(line) },
    tokensFrom: values.bots !== undefined ? '--bots' : given !== undefined ? 'REFERENCE_BOTS' : 'generated',
    showTokens: values['show-tokens'] ?? false,
  };
}

/**
 * Generated tokens, written where only this user can read them (a folder of mode 0700, a file of
 * 0600), as the variables a run of the suite reads: `set -a; . FILE; set +a`, or a copy as .env.
 */
function writeTokens(url: string, bots: ReadonlyMap<string, string>): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-serve-'));
  const file = join(dir, 'tokens.env');
  const [[botA, tokenA], second] = [...bots];
  const lines = [`TARGET_URL=${url}`, `BOT_ID=${botA}`, `API_TOKEN=${tokenA}`];
  if (second) lines.push(`SECOND_BOT_ID=${second[0]}`, `SECOND_API_TOKEN=${second[1]}`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What the server says of its bots besides its URL: their ids and where their tokens come from, never a token unless asked. */
function announceBots(settings: CliSettings, url: string): (() => void) | undefined {
  const { bots } = settings.options;
  if (!bots.size) {
    console.log('bots: none (a region where no bot resides: every request gets 401)');
    return undefined;
  }
  const ids = [...bots.keys()].join(', ');
  let remove: (() => void) | undefined;
  if (settings.tokensFrom === 'generated') {
    const written = writeTokens(url, bots);
    remove = written.remove;
    console.log(
      `bots: ${ids}; tokens generated (${TOKEN_LENGTH} random characters each), in ${written.file} (readable by you only; removed when the server stops)`,
    );
  } else console.log(`bots: ${ids}; tokens from ${settings.tokensFrom}`);
  if (settings.showTokens) for (const [bot, token] of bots) console.log(`token of ${bot}: ${token}`);
  return remove;
}

function parseBots(text: string): Map<string, string> {
  const bots = new Map<string, string>();
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf(':');
    const [bot, token] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (at < 0 || !bot || !token)
      throw new UsageError(`--bots takes bot-id:token pairs separated by commas; '${bot || '(empty)'}' has no token`);
    if (bots.has(bot)) throw new UsageError(`--bots names bot '${bot}' twice`);
    bots.set(bot, token);
  }
  return bots;
}

/** Runs a server from the command line: used by the reference server and by its faulty variants. */
export async function runServer(
  argv: string[],
  make: (options: ReferenceOptions) => ReferenceApp,
  usage = USAGE,
): Promise<void> {
  let settings: CliSettings;
  try {
    settings = parseCommandLine(argv, process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${usage}`);
    process.exit(2);
  }
  if (settings.help) {
    console.log(usage);
    return;
  }
  const running = await serve(make(settings.options), settings.port).catch((e: Error) => {
    console.error(`error: cannot listen on 127.0.0.1:${settings.port}: ${e.message}`);
    process.exit(1);
  });
  console.log(`listening on ${running.url}`);
  const removeTokens = announceBots(settings, running.url);
  const stop = () =>
    void running.close().then(() => {
      removeTokens?.();
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runServer(process.argv.slice(2), (options) => new ReferenceApp(options));
}
