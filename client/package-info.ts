// This package's name and version, read once from its package.json: one folder below the root in the
// repository, one folder further up from dist/ in the installed package.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let info: { name: string; version: string } | undefined;

export function packageInfo(): { name: string; version: string } {
  if (info) return info;
  const file = ['../package.json', '../../package.json']
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find(existsSync);
  const { name, version } = JSON.parse(readFileSync(file!, 'utf8')) as { name: string; version: string };
  info = { name, version };
  return info;
}
