// Credentials derived from the configured ones: what the suite sends as bad credentials, and what
// every process of a run therefore knows to redact without being told.
import { ledgerPath } from './snapshot.ts';
import { Secrets } from './redaction.ts';
import { botsOf, type Bot, type Settings } from './settings.ts';

/** The token with its last character changed: wrong, yet as close as a token gets. */
export function flipLast(token: string): string {
  const last = token.at(-1)!;
  return token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
}

/** Basic credentials made of a bot's id and token (a malformed header for this API). */
export function basicOf(bot: Bot): string {
  return Buffer.from(`${bot.id}:${bot.token}`).toString('base64');
}

/** Every value derived from a bot's token that a request of the suite may carry. */
function derivedFrom(bot: Bot): string[] {
  return [bot.token, flipLast(bot.token), basicOf(bot)];
}

/** This process's redactor: every target's tokens and their derivatives, and the run's ledger once the run has one. */
export function secretsOf(targets: Settings[]): Secrets {
  const [first] = targets;
  const secrets = new Secrets(first.runId ? ledgerPath(first, first.runId) : undefined);
  for (const target of targets) for (const bot of botsOf(target)) secrets.know(...derivedFrom(bot));
  return secrets;
}
