// The leak search: seeds a target's bots with providers holding distinctive secrets, and after a run
// looks for every secret of it (tokens, seeded and recorded values) in everything the run wrote.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { exchange } from '../../suite/http.ts';
import { outputsOf } from './outputs.ts';
import type { Recording } from './recording.ts';
import type { SuiteRun } from './run-suite.ts';
import type { Target } from './servers.ts';

/** The state folder's files that hold secrets by design, user-only: the snapshot and the run's ledger. */
const HOLDS_SECRETS = /^(snapshot-[0-9a-f]+\.json|secrets-[0-9a-f]+\.jsonl)$/;
/** Shorter values occur in any text by chance; every secret the suite makes is longer. */
const SOUGHT_FROM = 8;

/** POSTs a Basic and a Bearer provider with distinctive secrets to each bot, as data a real bot would hold. */
export async function seedSecrets(target: Target): Promise<string[]> {
  const secrets: string[] = [];
  for (const [bot, token] of [[target.bots.botA, target.bots.tokenA], [target.bots.botB, target.bots.tokenB]]) {
    const [password, bearer] = [`seededpw${randomBytes(10).toString('hex')}`, `seededbr${randomBytes(10).toString('hex')}`];
    secrets.push(password, bearer);
    for (const provider of [{ name: 'seeded-basic', type: 'www', config: { basic: { username: 'seeded-user', password } } }, { name: 'seeded-bearer', type: 'www', config: { bearer } }]) {
      await exchange({ method: 'POST', url: `${target.main.url}/whatsapp/v1/${bot}/provision/provider`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(provider) }, 5000);
    }
  }
  return secrets;
}

/** Every secret a run against `target` was trusted with or made: the tokens, the seeded values, and what the server recorded. */
export function secretsOfRun(target: Target, seeded: string[]): string[] {
  const recorded = (target.app as Partial<Recording>).seen ?? new Set<string>();
  return [...new Set([target.bots.tokenA, target.bots.tokenB, ...seeded, ...recorded])].filter((s) => s.length >= SOUGHT_FROM);
}

/** Where any of `secrets` occurs in the run's terminal output, reports and state folder, as `place: abcd…`. */
export function leaksOf(run: SuiteRun, secrets: string[]): string[] {
  const outputs = new Map([['terminal', run.stdout + run.stderr], ...outputsOf(run.reportDir)]);
  const leaks: string[] = [];
  for (const [path, text] of outputsOf(run.stateDir)) {
    const file = basename(path.split('!')[0]);
    if (!HOLDS_SECRETS.test(file)) outputs.set(path, text);
    else if ((statSync(path).mode & 0o777) !== 0o600) leaks.push(`${path}: readable by others (mode ${(statSync(path).mode & 0o777).toString(8)})`);
  }
  // Indexed by their first characters, so that each text is scanned once however many secrets a run made.
  const byStart = new Map<string, string[]>();
  for (const secret of new Set(secrets)) byStart.set(secret.slice(0, SOUGHT_FROM), [...(byStart.get(secret.slice(0, SOUGHT_FROM)) ?? []), secret]);
  for (const [place, text] of outputs) {
    const found = new Set<string>();
    for (let i = 0; i + SOUGHT_FROM <= text.length; i++) {
      for (const secret of byStart.get(text.substr(i, SOUGHT_FROM)) ?? []) if (text.startsWith(secret, i)) found.add(secret);
    }
    for (const secret of found) leaks.push(`${place}: ${secret.slice(0, 4)}…`);
  }
  return leaks;
}
