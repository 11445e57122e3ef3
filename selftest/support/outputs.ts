// Everything a run wrote, as text: every file under the report folder, with the HTML report's
// embedded zip (and any zip) unpacked, so that a secret cannot hide in base64.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';

export function outputsOf(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  const add = (name: string, bytes: Uint8Array) => {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      for (const [inner, data] of Object.entries(unzipSync(bytes))) add(`${name}!${inner}`, data);
      return;
    }
    const text = strFromU8(bytes);
    texts.set(name, text);
    for (const m of text.matchAll(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/g)) add(`${name}#zip`, Buffer.from(m[1], 'base64'));
  };
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else add(path, readFileSync(path));
    }
  };
  walk(dir);
  return texts;
}

/** The text of every attachment named `name` in a run's HTML report (the report keeps them inline in its zipped JSON). */
export function attachmentsOf(reportDir: string, name = 'exchanges.txt'): string[] {
  const bodies: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const a = node as { name?: unknown; body?: unknown };
    if (a.name === name && typeof a.body === 'string') bodies.push(a.body.startsWith('#') ? a.body : Buffer.from(a.body, 'base64').toString('utf8'));
    for (const inner of Object.values(node)) walk(inner);
  };
  for (const [place, text] of outputsOf(join(reportDir, 'html'))) {
    if (!place.includes('#zip!') || !place.endsWith('.json')) continue;
    walk(JSON.parse(text));
  }
  return bodies;
}
