// npm run mock -- [--port N] [--profile P]: the Prism mock of the OpenAPI document, on 127.0.0.1.
// Prism runs as a direct child (not through npx, whose wrapper, if killed alone, leaves Prism on the port).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { PROFILES, documentPath, type Profile } from '../contract/openapi.ts';
import { portFlag, profileFlag } from '../settings/command-line.ts';

const USAGE = `Usage: npm run mock -- [--port N] [--profile ${PROFILES.join('|')}]
  --port N      port on 127.0.0.1 (MOCK_PORT, default 4010)
  --profile P   which revision's document to serve (MOCK_PROFILE, default default)`;

/** The Prism CLI's entry point, run with this very node. */
export function prismEntry(): string {
  return createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
}

export function prismArgs(profile: Profile, port: number): string[] {
  return [prismEntry(), 'mock', documentPath(profile), '-h', '127.0.0.1', '-p', String(port)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let port: number;
  let profile: Profile;
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, profile: { type: 'string' } }, strict: true });
    port = portFlag('--port', values.port ?? process.env.MOCK_PORT ?? '4010');
    profile = profileFlag('--profile', values.profile ?? process.env.MOCK_PROFILE ?? 'default');
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const prism = spawn(process.execPath, prismArgs(profile, port), { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => prism.kill(signal));
  prism.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
