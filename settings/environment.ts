// The edge of the suite's configuration: the one module that reads the process's environment (with
// the working directory's .env under it) and the one that writes it, to hand the run's settings to
// Playwright's worker processes. Everything else takes an `Env` it is given.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Variables as the suite reads them: a copy, never the live process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** This process's variables, over those of ./.env (a variable already set wins over the file). */
export function readEnvironment(): Env {
  const file = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
  return Object.freeze({ ...file, ...process.env });
}

/**
 * Gives the workers Playwright starts later (they inherit this process's environment) what the runner
 * decided: the seed, the embedded reference's bots and tokens, the run id. `undefined` removes a variable.
 */
export function handToWorkers(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
