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
  // Indexed by their first characters, so that each text is scanned once however many secrets a run
  // made, and a string is made only where those characters may start a form (a batch's outputs are
  // tens of megabytes).
  const byStart = new Map<string, { secret: string; form: string; end: string; label: string }[]>();
  const starts = new Starts();
  for (const secret of new Set(secrets)) {
    for (const [label, form] of formsSought(secret)) {
      const start = form.slice(0, SOUGHT_FROM);
      const end = form.slice(-SOUGHT_FROM);
      byStart.set(start, [...(byStart.get(start) ?? []), { secret, form, end, label }]);
      starts.add(start);
    }
  }
  for (const [place, text] of outputs) {
    const found = new Map<string, string>();
    for (const i of starts.in(text)) {
      // Its end first: inside a long run of one character ('xxxx…', as long values are made) a form
      // longer than the run fails there at once, instead of after the whole run at every place in it.
      for (const { secret, form, end, label } of byStart.get(text.slice(i, i + SOUGHT_FROM)) ?? [])
        if (!found.has(secret) && text.startsWith(end, i + form.length - SOUGHT_FROM) && text.startsWith(form, i))
          found.set(secret, label);
    }
    for (const [secret, label] of found) leaks.push(`${place}: ${secret.slice(0, 4)}… (${label})`);
  }
  return leaks;
}

/**
 * Strings of SOUGHT_FROM characters, as the bits of their hashes: a text's windows of that length are
 * hashed in one pass, rolling (a few multiplications a character), and only a window whose hash is set
 * is looked at. Filtering on the first three characters instead let a fifth of a report's places
 * through (hex and base64 forms start like any identifier): 8.1 s for a batch's 38 million characters.
 */
class Starts {
  static readonly #BITS = 24;
  static readonly #BASE = 0x01000193;
  /** BASE to the power SOUGHT_FROM - 1, modulo 2^32: the weight of the character that leaves a window. */
  static readonly #OUT = Array.from({ length: SOUGHT_FROM - 1 }).reduce<number>((p) => Math.imul(p, Starts.#BASE), 1);
  readonly #bits = new Uint32Array(1 << (Starts.#BITS - 5));

  add(start: string): void {
    let h = 0;
    for (let j = 0; j < SOUGHT_FROM; j++) h = (Math.imul(h, Starts.#BASE) + start.charCodeAt(j)) | 0;
    const k = Starts.#key(h);
    this.#bits[k >>> 5] |= 1 << (k & 31);
  }

  /** Where in `text` a window of SOUGHT_FROM characters hashes as an added string does. */
  in(text: string): number[] {
    const at: number[] = [];
    if (text.length < SOUGHT_FROM) return at;
    let h = 0;
    for (let j = 0; j < SOUGHT_FROM; j++) h = (Math.imul(h, Starts.#BASE) + text.charCodeAt(j)) | 0;
    for (let i = 0; ; i++) {
      const k = Starts.#key(h);
      if (this.#bits[k >>> 5] & (1 << (k & 31))) at.push(i);
      if (i + SOUGHT_FROM >= text.length) return at;
      const out = Math.imul(text.charCodeAt(i), Starts.#OUT);
      h = (Math.imul((h - out) | 0, Starts.#BASE) + text.charCodeAt(i + SOUGHT_FROM)) | 0;
    }
  }

  static #key(h: number): number {
    return Math.imul(h, 0x9e3779b1) >>> (32 - Starts.#BITS);
  }
}
