// The leak search: seeds a target's bots with providers holding distinctive secrets, and after a run
// looks for every secret of it (tokens, seeded and recorded values) in everything the run wrote.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { exchange } from '../../client/http.ts';
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
  for (const [bot, token] of [
    [target.bots.botA, target.bots.tokenA],
    [target.bots.botB, target.bots.tokenB],
  ]) {
    const [password, bearer] = [
      `seededpw${randomBytes(10).toString('hex')}`,
      `seededbr${randomBytes(10).toString('hex')}`,
    ];
    secrets.push(password, bearer);
    for (const provider of [
      { name: 'seeded-basic', type: 'www', config: { basic: { username: 'seeded-user', password } } },
      { name: 'seeded-bearer', type: 'www', config: { bearer } },
    ]) {
      await exchange(
        {
          method: 'POST',
          url: `${target.main.url}/whatsapp/v1/${bot}/provision/provider`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(provider),
        },
        5000,
      );
    }
  }
  return secrets;
}

/** Every secret a run against `target` was trusted with or made: the tokens, the seeded values, and what the server recorded. */
export function secretsOfRun(target: Target, seeded: string[]): string[] {
  const recorded = (target.app as Partial<Recording>).seen ?? new Set<string>();
  return [...new Set([target.bots.tokenA, target.bots.tokenB, ...seeded, ...recorded])].filter(
    (s) => s.length >= SOUGHT_FROM,
  );
}

/**
 * Every form in which a secret could sit in an output: as is, JSON-escaped (also ASCII-only), URL-encoded,
 * hex in either case, base64 and base64url at each of the three byte alignments inside a longer encoded
 * text. Written apart from the redactor's own list, so that a form the redactor forgot is found here.
 */
export function formsSought(secret: string): Map<string, string> {
  const bytes = Buffer.from(secret, 'utf8');
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Map<string, string>([
    ['as is', secret],
    ['JSON', json],
    ['ASCII JSON', json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
  ]);
  try {
    forms.set('URL', encodeURIComponent(secret)).set(
      'url',
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    );
  } catch {
    // a lone surrogate has no URL form
  }
  for (const pad of [0, 1, 2]) {
    // The characters that depend on the secret's bits alone, whatever precedes and follows it.
    const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const core = text.slice(Math.ceil((pad * 8) / 6), Math.floor(((pad + bytes.length) * 8) / 6));
    forms.set(`base64 at ${pad}`, core).set(`base64url at ${pad}`, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return new Map([...forms].filter(([, form]) => form.length >= SOUGHT_FROM));
}

/** Where any of `secrets` occurs, in any of its forms, in the run's terminal output, reports and state folder, as `place: abcd… (form)`. */
export function leaksOf(run: SuiteRun, secrets: string[]): string[] {
  const outputs = new Map([['terminal', run.stdout + run.stderr], ...outputsOf(run.reportDir)]);
  const leaks: string[] = [];
  for (const [path, text] of outputsOf(run.stateDir)) {
    const file = basename(path.split('!')[0]);
    if (!HOLDS_SECRETS.test(file)) outputs.set(path, text);
    else if ((statSync(path).mode & 0o777) !== 0o600)
      leaks.push(`${path}: readable by others (mode ${(statSync(path).mode & 0o777).toString(8)})`);
  }
  // Indexed by their first characters, so that each text is scanned once however many secrets a run made;
  // their first three rule out most places before a string is made (a batch's outputs are tens of
  // megabytes: a slice at every character cost seconds of each batch).
  const byStart = new Map<string, { secret: string; form: string; label: string }[]>();
  const firstThree = new FirstThree();
  for (const secret of new Set(secrets)) {
    for (const [label, form] of formsSought(secret)) {
      const start = form.slice(0, SOUGHT_FROM);
      byStart.set(start, [...(byStart.get(start) ?? []), { secret, form, label }]);
      firstThree.add(form);
    }
  }
  for (const [place, text] of outputs) {
    const found = new Map<string, string>();
    for (let i = 0; i + SOUGHT_FROM <= text.length; i++) {
      if (!firstThree.startsAt(text, i)) continue;
      for (const { secret, form, label } of byStart.get(text.slice(i, i + SOUGHT_FROM)) ?? [])
        if (text.startsWith(form, i)) found.set(secret, label);
    }
    for (const [secret, label] of found) leaks.push(`${place}: ${secret.slice(0, 4)}… (${label})`);
  }
  return leaks;
}

/** The first three characters of strings: a flag a triple where all three are ASCII, a set for the rest. */
class FirstThree {
  readonly #ascii = new Uint8Array(1 << 21);
  readonly #other = new Set<string>();

  add(form: string): void {
    const [a, b, c] = [form.charCodeAt(0), form.charCodeAt(1), form.charCodeAt(2)];
    if ((a | b | c) < 128) this.#ascii[(a << 14) | (b << 7) | c] = 1;
    else this.#other.add(form.slice(0, 3));
  }

  /** Whether an added string's first three characters are those at `i` of `text`. */
  startsAt(text: string, i: number): boolean {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    return (a | b | c) < 128 ? this.#ascii[(a << 14) | (b << 7) | c] === 1 : this.#other.has(text.slice(i, i + 3));
  }
}
