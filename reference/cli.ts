// npm run reference -- --port 0 --bots bot-a:token-a,bot-b:token-b
// This command line is fixed: other tools start the reference server with it.
import { PROFILES } from '../contract/openapi.ts';
import { UsageError, integerFlag, parsedArgs, portFlag, profileFlag } from '../settings/command-line.ts';
import { serve } from './serve.ts';
import { ReferenceApp, type ReferenceOptions } from './app.ts';

export const USAGE = `Usage: npm run reference -- [options]

  --port N          port on 127.0.0.1; 0 picks a free one (REFERENCE_PORT, default 0)
  --bots LIST       bot-id:token pairs, comma-separated; '' for a region where
                    no bot resides (REFERENCE_BOTS, default bot-a:token-a)
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
  help: { type: 'boolean' },
} as const;

export interface CliSettings {
  port: number;
  options: ReferenceOptions;
  help: boolean;
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
  const bots = parseBots(values.bots ?? env.REFERENCE_BOTS ?? 'bot-a:token-a');
  return {
    port,
    help: values.help ?? false,
    options: { bots, profile, latencyMs, log: values.quiet ? undefined : (line) => console.log(line) },
  };
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
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runServer(process.argv.slice(2), (options) => new ReferenceApp(options));
}
