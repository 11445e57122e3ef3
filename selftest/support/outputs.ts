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
    for (const m of text.matchAll(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/g))
      add(`${name}#zip`, Buffer.from(m[1], 'base64'));
    // The HTML report keeps attachments inline, base64-encoded: each is read as the text it holds too.
    if (name.includes('#zip!') && name.endsWith('.json')) {
      for (const [i, a] of inlineAttachments(JSON.parse(text)).entries()) texts.set(`${name}@${i}@${a.name}`, a.text);
    }
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

/** Every attachment kept inline anywhere in a report's JSON: text as it is, anything else base64-encoded. */
function inlineAttachments(root: unknown): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const a = node as { name?: unknown; body?: unknown; contentType?: unknown };
    if (typeof a.name === 'string' && typeof a.body === 'string') {
      found.push({
        name: a.name,
        text: String(a.contentType).startsWith('text/') ? a.body : Buffer.from(a.body, 'base64').toString('utf8'),
      });
    }
    for (const inner of Object.values(node)) walk(inner);
  };
  walk(root);
  return found;
}

/** The text of every attachment named `name` in a run's HTML report (the report keeps them inline in its zipped JSON). */
export function attachmentsOf(reportDir: string, name = 'exchanges.txt'): string[] {
  return [...outputsOf(join(reportDir, 'html')).entries()]
    .filter(([place]) => place.endsWith(`@${name}`))
    .map(([, text]) => text);
}
