// "Did you mean": the known word nearest to what was typed, for the command line's flags and commands
// and the configuration file's keys alike.

/** Edit distance, case aside. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        row[j] + 1,
        next[j - 1] + 1,
        row[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    row = next;
  }
  return row[b.length];
}

/** The word of `known` nearest to `typed`, when it is near (a typo, or a word cut short), not another word. */
export function nearest(typed: string, known: readonly string[]): string | undefined {
  const [best] = known.map((k) => ({ k, d: distance(typed, k) })).sort((x, y) => x.d - y.d);
  if (best && best.d <= Math.max(2, Math.floor(typed.length / 3))) return best.k;
  return typed.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(typed.toLowerCase())) : undefined;
}
