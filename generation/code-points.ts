// Strings cut and counted by code point, so that no cut splits a surrogate pair: by offsets into the
// string, not arrays of its code points (values of 100 000 characters are common, and making arrays of
// them was a worker's costliest work of the suite's own).

/** Whether a surrogate pair starts at `at` (`Array.from` keeps those whole, and a lone surrogate alone). */
const pairAt = (s: string, at: number): boolean => {
  const c = s.charCodeAt(at);
  return c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(at + 1) & 0xfc00) === 0xdc00;
};

/** The code-unit offset of code point `n` of `s` (its length when `s` has fewer). */
export function offsetOf(s: string, n: number): number {
  let at = 0;
  for (let p = 0; p < n && at < s.length; p++) at += pairAt(s, at) ? 2 : 1;
  return at;
}

/** How many code points `s` holds. */
export function pointCount(s: string): number {
  let n = 0;
  for (let at = 0; at < s.length; n++) at += pairAt(s, at) ? 2 : 1;
  return n;
}

/** `value` with `mark` written over as many of its code points as `mark` has characters, from the `at`-th on. */
export function overwritten(value: string, at: number, mark: string): string {
  const start = offsetOf(value, at);
  return value.slice(0, start) + mark + value.slice(start + offsetOf(value.slice(start), mark.length));
}
