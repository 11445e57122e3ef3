// docs/architecture.md, the suite's map, stays one a reader takes in at once and never points at a
// file that has moved: at most 60 lines, and every path it names (in backticks, or as a link) exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from './support/run-suite.ts';

const MAP = join(ROOT, 'docs/architecture.md');

test('docs/architecture.md exists, is at most 60 lines, and every path it names exists', () => {
  expect(existsSync(MAP)).toBe(true);
  const text = readFileSync(MAP, 'utf8');
  expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(60);

  // A path: segments of a file or folder name, with a slash between them or a file's extension.
  const isPath = (s: string) =>
    /^[\w.-]+(\/[\w.-]+)*\/?$/.test(s) && (s.includes('/') || /\.(ts|js|cjs|md|json)$/.test(s));
  const named = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter(isPath);
  const linked = [...text.matchAll(/\]\(([^)#]+)/g)].map((m) => join('docs', m[1]));
  expect(named.length).toBeGreaterThan(20);
  const missing = [...named, ...linked].filter((p) => !existsSync(join(ROOT, p)));
  expect(missing, `named in ${MAP} but not in the repository`).toEqual([]);
  // The README's "The project itself" leads to it.
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/architecture.md)');
});
