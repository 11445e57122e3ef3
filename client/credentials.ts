// Credentials derived from the configured ones: what the suite sends as bad credentials, and what
// every process of a run therefore knows to redact without being told.
import { ledgerPath } from '../state/paths.ts';
import { Secrets } from './redaction.ts';
import { botsOf, type Bot, type Settings } from '../settings/targets.ts';

/** The token with the character at `at` changed: wrong, yet as close as a token gets. */
function flipAt(token: string, at: number): string {
  return token.slice(0, at) + (token[at] === 'a' ? 'b' : 'a') + token.slice(at + 1);
}

const swapCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

/**
 * Near misses of a token: what a server that compares credentials loosely (a prefix, the first N
 * characters, without case, trimmed) takes for the token. Each is wrong and must get 401. Spaces
 * and tabs at the edges are not among them: HTTP strips them from a header's value, so that
 * `Bearer  token ` is the token itself (RFC 9110); a no-break space is part of the value.
 */
export function nearMisses(token: string): { what: string; token: string }[] {
  const misses = [
    { what: 'its first character changed', token: flipAt(token, 0) },
    { what: 'its middle character changed', token: flipAt(token, Math.floor(token.length / 2)) },
    { what: 'its last character changed', token: flipAt(token, token.length - 1) },
    { what: 'its last character cut', token: token.slice(0, -1) },
    { what: 'one character added', token: `${token}a` },
    { what: 'its case changed', token: swapCase(token) },
    { what: 'a no-break space before it', token: `\u00a0${token}` },
    { what: 'a no-break space after it', token: `${token}\u00a0` },
  ];
  return misses.filter((m) => m.token !== token && m.token.length > 0);
}

/** What a template literal makes of an object: a public constant the suite sends as a token, never a secret. */
export const OBJECT_STRING = String({});

/** Basic credentials made of a bot's id and token (a malformed header for this API). */
export function basicOf(bot: Bot): string {
  return Buffer.from(`${bot.id}:${bot.token}`).toString('base64');
}

/** Every value derived from a bot's token that a request of the suite may carry. */
function derivedFrom(bot: Bot): string[] {
  return [bot.token, ...nearMisses(bot.token).map((m) => m.token), basicOf(bot)];
}

/** This process's redactor: every target's tokens and their derivatives, and the run's ledger once the run has one. */
export function secretsOf(targets: Settings[]): Secrets {
  const [first] = targets;
  const secrets = new Secrets(first.runId ? ledgerPath(first, first.runId) : undefined);
  for (const target of targets) for (const bot of botsOf(target)) secrets.know(...derivedFrom(bot));
  for (const target of targets) secrets.know(...target.proxyPasswords);
  // An extra header's value read from a variable (a gateway's key), and the client key's passphrase.
  for (const target of targets)
    secrets.know(...target.headers.filter((h) => h.variable).map((h) => h.value), target.clientKeyPassphrase);
  return secrets;
}
