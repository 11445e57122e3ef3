// Secrets (API tokens, every password and bearer value generated, sent, received, snapshotted or
// restored) never reach any output. They are redacted by value: every secret the run knows is replaced
// wherever text is shown, in each form a transcript may show it (as is, JSON-escaped, URL-encoded, hex,
// base64 and base64url at any alignment; and where the suite cuts a text short, its first characters at
// the end). The processes of one run (the runner and its workers) share what they learn through a ledger
// file kept, like the snapshot, user-only in the state folder.
// Short values cannot be replaced inside free text without wrecking it (a token `www` would mask
// every `www`): below LONG they are replaced only as whole words, never when they are a word of the
// API's own vocabulary, and below SHORTEST only where their place says what they are (below).
//
// What a server sends under a secret-bearing JSON key (`password`, `bearer`, …) is shown as sent when it
// is no secret of the run: a server that lists every password as **** is seen doing so. Unless it holds a
// substantial part of one: a server that stores secrets cut, trimmed, re-quoted or normalised answers a
// value that is not the secret but mostly is. Substantial is a run of characters in common with a known
// secret of at least LONG (8) characters, or, in a value shorter than 2 × LONG, of at least half the
// value; never fewer than SHORTEST (3), and a short secret held whole counts. Why: 8 characters is where
// the redactor already finds a secret inside any text; 8 characters of a secret (24 random letters and
// digits, as the suite makes them) occur in a server's own value only by copying, while a cut at 255, a
// trim, a doubled quote or a normalisation leaves far longer runs; and a short value half made of a
// secret shows too much of it. Such a value stays masked, is learnt as a secret of its own
// (collectAnswer: masked in every output, by every process), and its mask says what it is when it can
// (`«redacted: a secret of the run, cut to 255 characters»`). The criterion errs towards masking: a
// short value of a server's own may share 3 characters with one of the run's many secrets by chance. Its
// one blind spot is what the run never remembered: a secret longer than REMEMBERED characters is
// compared by its first ones, so a server that answered only the rest of one would be shown.
// Masked by their place whatever they hold: a value of one or two characters under a secret-bearing key
// (no value that short is remembered, so it cannot be told from a secret), and the credential of an
// Authorization header quoted anywhere (the suite's own requests always carry the run's credentials).
import { appendFileSync, closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export const MASK = '«redacted»';

/** What a server that hides the secrets it keeps answers in their place, whatever they were (****). */
export const MASKED = /^\*+$/;

const SECRET_KEYS = /^(password|bearer|token|api[-_]?token|authorization|secret)$/i;
/** From this length a secret is replaced wherever it occurs, inside words too. */
const LONG = 8;
/** Below this length a value is masked only by structure. */
const SHORTEST = 3;
/** A cut-off secret at the end of a text is masked from this many characters on. */
const SHORTEST_PREFIX = 3;
/** Longer values are remembered by their first characters: no output shows more of a value than that whole. */
const REMEMBERED = 2048;
/** Words of the API and of JSON itself: a secret equal to one of them is masked only by structure. */
const VOCABULARY = new Set([
  'www',
  'basic',
  'bearer',
  'name',
  'type',
  'config',
  'username',
  'password',
  'settings',
  'application',
  'media',
  'providers',
  'message',
  'reason',
  'null',
  'true',
  'false',
  'nan',
  'infinity',
]);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The base64 characters that encode `bytes` alone when they start `offset` bytes (0, 1 or 2) into a
 * longer encoded text: a token inside a base64 blob (an echoed header, `Bearer ` and a near miss)
 * sits at any of the three alignments, and its edge characters mix with its neighbours' bits.
 */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  return encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
}

const toUrlAlphabet = (base64: string) => base64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The forms a value takes in a transcript, a header or a body: as is, JSON-escaped, URL-encoded,
 * hex in either case, base64 and base64url whole and at each alignment inside a longer text.
 * Short values get the whole forms only: their cores are a few characters any text holds.
 */
export function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const asciiJson = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const bytes = Buffer.from(value, 'utf8');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  // A lone surrogate has no URL form (encodeURIComponent throws): it is found in its other forms.
  const url = LONE_SURROGATE.test(value)
    ? []
    : [encodeURIComponent(value), encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())];
  const cores = value.length < LONG ? [] : [0, 1, 2].map((offset) => base64Core(bytes, offset));
  const base64s = [base64, base64.replace(/=+$/, ''), ...cores];
  return [
    ...new Set([value, json, asciiJson, ...url, hex, hex.toUpperCase(), ...base64s, ...base64s.map(toUrlAlphabet)]),
  ];
}

/** The part of a value that is remembered: its first REMEMBERED characters, never half a surrogate pair (which no encoding can show). */
function remembered(value: string): string {
  if (value.length <= REMEMBERED) return value;
  const high = value.charCodeAt(REMEMBERED - 1);
  return value.slice(0, high >= 0xd800 && high <= 0xdbff ? REMEMBERED - 1 : REMEMBERED);
}

/** Every string under a secret-bearing key anywhere in a parsed JSON value. */
function secretValuesOf(value: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (SECRET_KEYS.test(key) && typeof inner === 'string') found.push(inner);
      else walk(inner, depth + 1);
    }
  };
  walk(value, 0);
  return found;
}

const characters = (n: number) => `${n} character${n === 1 ? '' : 's'}`;

/**
 * How `value` was made from `secret` by a store that alters what it keeps (faulty/unlisted.ts): cut,
 * trimmed, `'` doubled, normalised, joined to other text; undefined when it was not, or is the same.
 * It tells the fault apart and says nothing of the secret but lengths.
 */
export function alteration(value: string, secret: string): string | undefined {
  // A secret of no characters of its own (an empty password) is in every value: nothing is made of it.
  if (value === secret || value === '' || secret.trim() === '') return undefined;
  const length = (text: string) => Array.from(text).length;
  if (value === secret.trim() || value === secret.trimStart() || value === secret.trimEnd()) return 'trimmed';
  if (secret.startsWith(value)) return `cut to ${characters(length(value))}`;
  if (secret.includes("'") && value === secret.replaceAll("'", "''")) return "with every ' doubled";
  // Normalising ASCII changes nothing: the four forms are tried only where they can differ.
  if (/[^\x00-\x7f]/.test(secret))
    for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const)
      if (value === secret.normalize(form)) return `normalised to ${form}`;
  if (value.length === secret.length && value.toLowerCase() === secret.toLowerCase()) return 'in other letter case';
  if (value.endsWith(secret)) return `after ${characters(length(value) - length(secret))} of other text`;
  if (value.startsWith(secret)) return `followed by ${characters(length(value) - length(secret))} of other text`;
  return undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** How many first characters index a long form (every long form is at least LONG characters). */
const KEY = 4;

/** Bits of the first-characters filter: with tens of thousands of forms, still mostly zeros. */
const FILTER_BITS = 1 << 20;

/** A hash of the `length` characters at `at`: the filter's bit for a text position and for a form's start. */
function startHash(text: string, at: number, length: number): number {
  let h = 0;
  for (let k = 0; k < length; k++) h = Math.imul(h ^ text.charCodeAt(at + k), 0x9e3779b1);
  return (h >>> 12) & (FILTER_BITS - 1);
}

/**
 * Forms by their first characters, each list longest first once sorted (sorting waits for the next
 * redaction: a run learns thousands of values). A bit per hash of those characters tells, without
 * building a string, that no form starts at a position: a text of 1 MiB is scanned in milliseconds.
 */
class FormIndex {
  readonly #lists = new Map<string, string[]>();
  readonly #unsorted = new Set<string[]>();
  readonly #starts = new Uint32Array(FILTER_BITS / 32);

  constructor(private readonly keyLength: number) {}

  get size(): number {
    return this.#lists.size;
  }

  add(form: string): void {
    const key = form.slice(0, this.keyLength);
    const list = this.#lists.get(key);
    if (!list) {
      this.#lists.set(key, [form]);
      const bit = startHash(key, 0, this.keyLength);
      this.#starts[bit >>> 5] |= 1 << (bit & 31);
    } else {
      list.push(form);
      this.#unsorted.add(list);
    }
  }

  sort(): void {
    for (const list of this.#unsorted) list.sort((a, b) => b.length - a.length);
    this.#unsorted.clear();
  }

  /** The forms that may start at `at` in `text` (longest first), or undefined when none does. */
  at(text: string, at: number): string[] | undefined {
    const bit = startHash(text, at, this.keyLength);
    if ((this.#starts[bit >>> 5] & (1 << (bit & 31))) === 0) return undefined;
    return this.#lists.get(text.substr(at, this.keyLength));
  }
}

export class Secrets {
  readonly #values = new Set<string>();
  /** Values every process of the run derives for itself (the tokens and their variants): never written to the ledger. */
  readonly #local = new Set<string>();
  /** Every form of every long secret, by its first KEY characters, longest first: a text is scanned once, whatever their number. */
  readonly #byStart = new FormIndex(KEY);
  /** The same forms by their first SHORTEST_PREFIX characters, to find one cut off at the end of a text. */
  #byPrefix: FormIndex | undefined;
  /** Every long form, for the index above, made when a text is first cut (few processes ever cut one). */
  readonly #forms: string[] = [];
  #longest = 0;
  /** Short secrets, matched as whole words; rebuilt when a redaction needs it, not on every value learnt. */
  #words: RegExp | undefined;
  #wordsStale = false;
  #ledgerOffset = 0;
  /** Values read from the ledger whose forms are not made yet (see #sync). */
  #unindexed: string[] = [];
  /** The known values shorter than LONG, but the vocabulary's: a value of an answer that holds one whole holds a secret. */
  readonly #short = new Set<string>();
  /** Every run of LONG characters of every long known value, made when an answer's value is first judged. */
  #grams: Set<string> | undefined;
  /** What each altered secret an answer showed is (`cut to 255 characters`), for its mask. */
  readonly #altered = new Map<string, string>();

  /** `ledger`: the run's shared file of secrets; what this process learns is appended to it. */
  constructor(private readonly ledger?: string) {}

  /** A secret the run's other processes may meet too: shared through the ledger. */
  add(...values: (string | undefined)[]): void {
    // Nothing to share when every value is known here already (most requests send the same credentials
    // again): no look at the ledger. Otherwise what another process has already shared is not written
    // again: a new worker reads the whole ledger.
    if (!this.#fresh(values).length) return;
    this.#sync();
    const fresh = this.#fresh(values);
    if (!fresh.length) return;
    this.#remember(fresh);
    // A value holding a token (an echoed header, say) is known to every process already; it stays off the disk.
    const shared = fresh.filter((v) => ![...this.#local].some((l) => l.length >= LONG && v.includes(l)));
    if (this.ledger && shared.length)
      appendFileSync(this.ledger, shared.map((v) => `${JSON.stringify(v)}\n`).join(''), { mode: 0o600 });
  }

  /** A secret every process of the run knows by itself (a token, a value derived from one): kept in memory only. */
  know(...values: (string | undefined)[]): void {
    const fresh = this.#fresh(values);
    for (const v of fresh) this.#local.add(v);
    if (fresh.length) this.#remember(fresh);
  }

  #fresh(values: (string | undefined)[]): string[] {
    const kept = values.filter((v): v is string => v !== undefined && v.length >= SHORTEST).map(remembered);
    return [...new Set(kept.filter((v) => !this.#values.has(v)))];
  }

  /** Registers every string under a secret-bearing key anywhere in a parsed JSON value (a request's body, a snapshot). */
  collect(value: unknown): void {
    this.add(...secretValuesOf(value));
  }

  /**
   * Registers the secrets of a list a server served (the snapshot's): each value under a secret-bearing
   * key but a mask of asterisks, which a server that hides what it keeps answers for every one (****).
   * Registered, it would be masked in every reason of the run, hiding what the server did.
   */
  collectServed(value: unknown): void {
    this.add(...secretValuesOf(value).filter((v) => !MASKED.test(v)));
  }

  /**
   * Registers the strings under secret-bearing keys of a server's answer that are a secret the server
   * altered (see the header): from now on each is a secret of its own, masked in every output and by
   * every process of the run. The others are the server's own (a mask such as ****), shown as sent.
   */
  collectAnswer(value: unknown): void {
    // A conforming server answers the secrets it was sent: known already, nothing to judge.
    const unknown = secretValuesOf(value).filter((v) => v.length >= SHORTEST && !this.#values.has(remembered(v)));
    if (!unknown.length) return;
    this.#refresh();
    const altered = unknown.filter((v) => !this.#showable(v));
    for (const v of altered) {
      const how = this.#values.has(remembered(v)) ? undefined : this.#describe(v);
      if (how) this.#altered.set(v, how);
    }
    this.add(...altered);
  }

  /**
   * Whether a value found under a secret-bearing key may be shown as sent: it is no secret the run
   * knows, in any form, and holds no substantial part of one (see the header); and it is long enough to
   * be told apart (the empty string is: it holds nothing).
   */
  showable(value: string): boolean {
    this.#refresh();
    return this.#showable(value);
  }

  /** The Authorization header's credential part, and the header whole (a credential without a scheme). */
  addAuthorization(header: string | undefined): void {
    if (!header) return;
    this.know(header, header.replace(/^\S+\s+/, ''));
  }

  /** Replaces every known secret, in every form, and masks Authorization header lines. */
  redact(text: string): string {
    this.#refresh();
    return this.#replace(text);
  }

  /**
   * The first `limit` characters of a text, redacted, and marked as cut: a cut may leave the first
   * characters of a secret at the end, which no whole-value match can see, so they are masked too.
   */
  redactClipped(text: string, limit: number): string {
    if (text.length <= limit) return this.redact(text);
    return `${this.#maskCutOff(this.redact(text.slice(0, limit)))}… (${text.length} characters)`;
  }

  /**
   * A copy of a parsed JSON value with known secrets replaced; under secret-bearing keys, what is not
   * showable is masked whole, and named when an answer showed it as an altered secret.
   */
  redactJson(value: unknown): unknown {
    this.#refresh();
    const walk = (node: unknown, depth: number): unknown => {
      if (typeof node === 'string') return this.#replace(node);
      if (depth > 64 || node === null || typeof node !== 'object') return node;
      if (Array.isArray(node)) return node.map((v) => walk(v, depth + 1));
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [
          k,
          SECRET_KEYS.test(k) && typeof v === 'string' ? (this.#showable(v) ? v : this.#maskOf(v)) : walk(v, depth + 1),
        ]),
      );
    };
    return walk(value, 0);
  }

  #refresh(): void {
    this.#sync();
    for (const v of this.#unindexed) this.#index(v);
    this.#unindexed = [];
    this.#byStart.sort();
    if (this.#wordsStale) this.#buildWords();
  }

  #showable(value: string): boolean {
    if (value === '') return true;
    if (value.length < SHORTEST || this.#values.has(remembered(value))) return false;
    return this.#replace(value) === value && !this.#holdsPartOfSecret(value);
  }

  #maskOf(value: string): string {
    const how = this.#altered.get(value);
    return how ? `«redacted: a secret of the run, ${how}»` : MASK;
  }

  /** Whether a value shares a substantial run of characters with a secret the run knows (see the header). */
  #holdsPartOfSecret(value: string): boolean {
    if (value.length >= 2 * LONG) {
      for (const s of this.#short) if (value.includes(s)) return true;
      const grams = this.#gramsMade();
      for (let i = 0; i + LONG <= value.length; i++) if (grams.has(value.slice(i, i + LONG))) return true;
      return false;
    }
    // A short value: half of it in common with a secret, or a shorter secret held whole.
    const run = Math.max(SHORTEST, Math.ceil(value.length / 2));
    const parts = Array.from({ length: value.length - run + 1 }, (_, i) => value.slice(i, i + run));
    for (const s of this.#values) {
      if (s.length < LONG && !this.#short.has(s)) continue; // a word of the vocabulary
      if (s.length < run ? value.includes(s) : parts.some((part) => s.includes(part))) return true;
    }
    return false;
  }

  #gramsMade(): Set<string> {
    if (!this.#grams) {
      this.#grams = new Set();
      for (const v of this.#values) this.#addGrams(v);
    }
    return this.#grams;
  }

  #addGrams(v: string): void {
    if (!this.#grams) return;
    for (let i = 0; i + LONG <= v.length; i++) this.#grams.add(v.slice(i, i + LONG));
  }

  /** What an altered secret is, from the first known secret it was made from. */
  #describe(value: string): string | undefined {
    for (const secret of this.#values) {
      const how = alteration(value, secret);
      if (how) return how;
    }
    return undefined;
  }

  #replace(text: string): string {
    let out = this.#replaceLong(text);
    if (this.#words) out = out.replace(this.#words, MASK);
    // An Authorization header quoted anywhere: its scheme stays, its credential goes (placeholders such as $API_TOKEN
    // and labels such as «$API_TOKEN with its last character changed» stay).
    out = out.replace(
      /(authorization["']?\s*[:=]\s*["']?)((?:bearer|basic)\s+)?([^\s"',;]+)/gi,
      (whole, lead: string, scheme: string | undefined, credential: string) =>
        credential === MASK ||
        credential.startsWith('$') ||
        credential.startsWith('«') ||
        (!scheme && /^(bearer|basic)$/i.test(credential))
          ? whole
          : `${lead}${scheme ?? ''}${MASK}`,
    );
    return out;
  }

  #remember(values: string[]): void {
    for (const v of values) {
      this.#values.add(v);
      this.#index(v);
    }
  }

  /** Makes a value's forms findable (every form of a long one; a short one joins the words). */
  #index(v: string): void {
    if (v.length < LONG) {
      if (VOCABULARY.has(v.toLowerCase())) return;
      this.#wordsStale = true;
      this.#short.add(v);
      return;
    }
    this.#addGrams(v);
    for (const form of formsOf(v)) {
      this.#forms.push(form);
      this.#byStart.add(form);
      this.#byPrefix?.add(form);
      this.#longest = Math.max(this.#longest, form.length);
    }
  }

  #buildWords(): void {
    this.#wordsStale = false;
    const words = [...this.#values]
      .filter((v) => v.length < LONG && !VOCABULARY.has(v.toLowerCase()))
      .flatMap((v) => formsOf(v).filter((f) => f.length < LONG));
    const alternatives = [...new Set(words)].sort((a, b) => b.length - a.length).map(escapeRegExp);
    // The boundaries once around the alternation, not around each word: the engine then tries the
    // words only where a word may start (measured: 25 times faster over 500 words, the same matches).
    this.#words = alternatives.length
      ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'gu')
      : undefined;
  }

  /** Replaces every long secret's every form; at each position the longest match wins, so a secret containing another goes whole. */
  #replaceLong(text: string): string {
    if (!this.#byStart.size) return text;
    let out = '';
    let kept = 0;
    for (let i = 0; i + KEY <= text.length; ) {
      // The last character first: inside a run of one repeated character (a value of 255 'é'), every
      // position starts like a secret made of that run, and a compare of the whole form at each one
      // made a list of such values cost seconds; the last character tells most of them apart at once.
      const hit = this.#byStart
        .at(text, i)
        ?.find(
          (form) =>
            text.charCodeAt(i + form.length - 1) === form.charCodeAt(form.length - 1) && text.startsWith(form, i),
        );
      if (!hit) {
        i++;
        continue;
      }
      out += text.slice(kept, i) + MASK;
      i += hit.length;
      kept = i;
    }
    return out + text.slice(kept);
  }

  /** Masks the end of a cut text when it is the beginning of a secret (the longest such end). */
  #maskCutOff(text: string): string {
    if (!this.#byPrefix) {
      this.#byPrefix = new FormIndex(SHORTEST_PREFIX);
      for (const form of this.#forms) this.#byPrefix.add(form);
    }
    for (let p = Math.max(0, text.length - this.#longest + 1); p <= text.length - SHORTEST_PREFIX; p++) {
      const candidates = this.#byPrefix.at(text, p);
      if (!candidates) continue;
      const rest = text.slice(p);
      if (candidates.some((form) => form.length > rest.length && form.startsWith(rest)))
        return `${text.slice(0, p)}${MASK}`;
    }
    return text;
  }

  /** Learns what the run's other processes have written to the ledger since the last look. */
  #sync(): void {
    // One stat a redaction: the file is opened only when another process has written to it.
    if (!this.ledger || (statSync(this.ledger, { throwIfNoEntry: false })?.size ?? 0) <= this.#ledgerOffset) return;
    const fd = openSync(this.ledger, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.#ledgerOffset) return;
      const buffer = Buffer.alloc(size - this.#ledgerOffset);
      readSync(fd, buffer, 0, buffer.length, this.#ledgerOffset);
      const text = buffer.toString('utf8');
      const complete = text.lastIndexOf('\n') + 1; // a line being written by another process waits for the next look
      this.#ledgerOffset += Buffer.byteLength(text.slice(0, complete));
      // Known at once (so that this process does not share them again), indexed at the next redaction:
      // a worker that never redacts never makes their forms. Two processes may share the same value
      // before either has read the other's line: it is learnt once.
      for (const line of text.slice(0, complete).split('\n')) {
        if (!line) continue;
        const v = JSON.parse(line) as string;
        if (this.#values.has(v)) continue;
        this.#values.add(v);
        this.#unindexed.push(v);
      }
    } finally {
      closeSync(fd);
    }
  }
}
