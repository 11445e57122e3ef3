// Secrets (API tokens, every password and bearer value generated, sent, received, snapshotted or
// restored) never reach any output. Two nets:
// 1. By value: every secret the run knows is replaced wherever text is shown, in each form a
//    transcript may show it (as is, JSON-escaped, URL-encoded, hex, base64 and base64url at any
//    alignment; and where the suite cuts a text short, its first characters at the end).
//    The processes of one run (the runner and its workers) share what they learn through a ledger
//    file kept, like the snapshot, user-only in the state folder.
// 2. By structure: the Authorization header and values under secret-bearing keys are masked
//    whatever they hold.
// Short values cannot be replaced inside free text without wrecking it (a token `www` would mask
// every `www`): below LONG they are replaced only as whole words, never when they are a word of the
// API's own vocabulary, and below SHORTEST only structurally.
import { appendFileSync, closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export const MASK = '«redacted»';

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

  /** Registers every string under a secret-bearing key anywhere in a parsed JSON value. */
  collect(value: unknown): void {
    const found: string[] = [];
    const walk = (node: unknown, depth: number) => {
      if (depth > 64 || node === null || typeof node !== 'object') return;
      for (const [key, inner] of Object.entries(node)) {
        if (SECRET_KEYS.test(key) && typeof inner === 'string') found.push(inner);
        else walk(inner, depth + 1);
      }
    };
    walk(value, 0);
    this.add(...found);
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

  /** A copy of a parsed JSON value with secret-bearing keys masked and known secrets replaced. */
  redactJson(value: unknown): unknown {
    this.#refresh();
    const walk = (node: unknown, depth: number): unknown => {
      if (typeof node === 'string') return this.#replace(node);
      if (depth > 64 || node === null || typeof node !== 'object') return node;
      if (Array.isArray(node)) return node.map((v) => walk(v, depth + 1));
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [
          k,
          SECRET_KEYS.test(k) && typeof v === 'string' ? MASK : walk(v, depth + 1),
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
      this.#wordsStale ||= !VOCABULARY.has(v.toLowerCase());
      return;
    }
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
      const hit = this.#byStart.at(text, i)?.find((form) => text.startsWith(form, i));
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
