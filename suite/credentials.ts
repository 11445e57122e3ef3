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

/** This process's redactor: the configured tokens and their derivatives, and the run's ledger once the run has one. */
export function secretsOf(settings: Settings): Secrets {
  const secrets = new Secrets(settings.runId ? ledgerPath(settings, settings.runId) : undefined);
  for (const bot of botsOf(settings)) secrets.know(...derivedFrom(bot));
  return secrets;
}
