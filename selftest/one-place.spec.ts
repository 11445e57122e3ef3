// One rule, one place: every check of a rule lives in the spec file of the rule's section, whatever its
// technique, read from Playwright's own list of the suite's checks with the metadata rule() gave each
// (tools/checks.ts); the sections are docs/rules.md's, and the check of the model has a file of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { MODEL, RULES, SECTIONS, specFileOf, type Section } from '../rules/catalogue.ts';
import { type ListedCheck, listChecks, misplaced } from '../tools/checks.ts';
import { ROOT } from './support/run-suite.ts';

test("every rule's checks are in its section's spec file and no other, the model's check alone in its own (Playwright's list)", () => {
  const checks = listChecks();
  expect(checks.length).toBeGreaterThan(80);
  expect(misplaced(checks)).toEqual([]);
  // What each check says of its section is its rule's (the model's aside).
  const wrong = checks.filter(
    (c) => c.section !== MODEL.id && c.section !== RULES.find((r) => r.id === c.rule)?.section,
  );
  expect(wrong.map((c) => `${c.file}:${c.line}`)).toEqual([]);
  // Every spec file is a section's or the model's, and every section has one.
  const files = readdirSync(join(ROOT, 'tests')).map((f) => `tests/${f}`);
  const expected = [...(Object.keys(SECTIONS) as Section[]).map(specFileOf), specFileOf(MODEL.id)];
  expect(files.sort()).toEqual(expected.sort());
});

/** A check as Playwright's list gives it, of `rule` in `file`. */
function listed(rule: (typeof RULES)[number], file = specFileOf(rule.section), more: Partial<ListedCheck> = {}) {
  return {
    rule: rule.id,
    covers: [],
    also: [],
    section: rule.section,
    target: 'target',
    wholeList: false,
    generated: false,
    file,
    line: 1,
    title: `${rule.id} ${rule.level}: …`,
    ...more,
  } satisfies ListedCheck;
}

test("a check out of its section's file, a rule split over two files, a cover across sections or the model elsewhere is named, with the rule and the files", () => {
  const rule = (id: string) => RULES.find((r) => r.id === id)!;
  const model = listed(rule('GET-READ-AFTER-WRITE'), specFileOf(MODEL.id), {
    section: MODEL.id,
    covers: RULES.map((r) => r.id),
    generated: true,
    wholeList: true,
  });
  const placed = [...RULES.map((r) => listed(r)), model];
  expect(misplaced(placed)).toEqual([]);
  // A generated search covers what its runs can break, in any section; the check of the model covers every rule.
  const search = listed(rule('GET-CONFIG-ROUNDTRIP'), undefined, { covers: ['POST-VALID-200'], generated: true });
  expect(misplaced([...placed, search])).toEqual([]);

  const moved = placed.map((c) =>
    c.rule === 'POST-VALID-200' && c !== model ? { ...c, file: 'tests/get.spec.ts' } : c,
  );
  expect(misplaced(moved)).toEqual([
    'POST-VALID-200 (section post) has checks in tests/get.spec.ts: all of them belong in tests/post.spec.ts',
  ]);
  const split = [...placed, listed(rule('DELETE-200'), 'tests/http.spec.ts')];
  expect(misplaced(split)).toEqual([
    'DELETE-200 (section delete) has checks in tests/delete.spec.ts, tests/http.spec.ts: all of them belong in tests/delete.spec.ts',
  ]);
  const across = [...placed, listed(rule('HTTP-EQUIVALENT'), undefined, { covers: ['GET-SAFE', 'AUTH-MISSING'] })];
  expect(misplaced(across)).toEqual([
    'AUTH-MISSING (section auth) has checks in tests/auth.spec.ts, tests/http.spec.ts: all of them belong in tests/auth.spec.ts',
  ]);
  const modelAway = placed.map((c) => (c === model ? { ...c, file: 'tests/get.spec.ts' } : c));
  expect(misplaced(modelAway)).toEqual([
    `the check of the model '${model.title}' is in tests/get.spec.ts: it belongs in tests/model.spec.ts`,
  ]);
  const intruder = [...placed, listed(rule('GET-SAFE'), specFileOf(MODEL.id))];
  expect(misplaced(intruder)).toEqual([
    'GET-SAFE (section http) has checks in tests/http.spec.ts, tests/model.spec.ts: all of them belong in tests/http.spec.ts',
    "GET-SAFE's check 'GET-SAFE MUST: …' is in tests/model.spec.ts, which holds the check of the model only",
  ]);
});

test("the catalogue's sections are the sections of docs/rules.md, and it says where their checks live", () => {
  const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
  for (const heading of Object.values(SECTIONS))
    expect(doc.includes(`**${heading}.**`) || doc.includes(`\n## ${heading}\n`), heading).toBe(true);
  expect(doc).toContain(`\n## ${MODEL.heading}\n`);
  expect(doc.replace(/\s+/g, ' ')).toContain('a check lives in the spec file of its section');
});
