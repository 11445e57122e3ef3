// Secrets (API tokens, every password and bearer value sent or received) never reach any output.
// Two guards: values under secret-bearing keys are masked wherever a body is shown, and every
// secret the run has seen is replaced wherever text is shown (error reasons, attachments, logs).
export const MASK = '«redacted»';

const SECRET_KEYS = /^(password|bearer|token|api[-_]?token|authorization|secret)$/i;
/** Shorter values are too common to replace in free text without mangling it; keys still mask them. */
const MIN_SECRET_LENGTH = 3;

export class Secrets {
  readonly #values = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= MIN_SECRET_LENGTH) this.#values.add(v);
  }

  /** Registers every string under a secret-bearing key anywhere in a parsed JSON value. */
  collect(value: unknown, depth = 0): void {
    if (depth > 64 || value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEYS.test(key) && typeof inner === 'string') this.add(inner);
      else this.collect(inner, depth + 1);
    }
  }

  /** The Authorization header's credential part. */
  addAuthorization(header: string | undefined): void {
    if (!header) return;
    this.add(header, header.replace(/^\S+\s+/, ''));
  }

  redact(text: string): string {
    // Longest first, so that a secret containing another is replaced whole.
    let out = text;
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(v).join(MASK);
    return out.replace(/(authorization:\s*)(\S+\s+)?\S+/gi, `$1${MASK}`);
  }

  /** A copy of a parsed JSON value with secret-bearing keys masked and known secrets replaced. */
  redactJson(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (depth > 64 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.redactJson(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) =>
      [k, SECRET_KEYS.test(k) && typeof v === 'string' ? MASK : this.redactJson(v, depth + 1)]));
  }
}
