// The suite's checks as Playwright lists them, each with the metadata rule() gave it (report/check-info.ts),
// for the default profile against the embedded reference with none of the user's settings; and where
// each rule's checks must live. The rule index (tools/rules-table.ts) and the one-place self-test
// (selftest/one-place.spec.ts) read them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkInfo, type CheckInfo } from '../report/check-info.ts';
import { MODEL, RULES, specFileOf, type Rule } from '../rules/catalogue.ts';

const ROOT = resolve(import.meta.dirname, '..');

export interface ListedCheck extends CheckInfo {
  /** Its spec file, relative to the repository (`tests/post.spec.ts`). */
  file: string;
  line: number;
  title: string;
}

interface Suite {
  suites?: Suite[];
  specs?: {
    title: string;
    file: string;
    line: number;
    tests: { annotations: { type: string; description?: string }[] }[];
  }[];
}

/** `npx playwright test --list --reporter=json` on the suite's config, in an environment of the machine's basics only. */
export function listChecks(): ListedCheck[] {
  const scratch = mkdtempSync(join(tmpdir(), 'checks-list-'));
  // No variable of the user's (a target, a profile, CONFORMANCE_RULES) may change what is listed.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CONFORMANCE_REPORT_DIR: join(scratch, 'reports'),
    CONFORMANCE_STATE_DIR: join(scratch, 'state'),
  };
  try {
    const cli = join(ROOT, 'node_modules/@playwright/test/cli.js');
    const listed = spawnSync(process.execPath, [cli, 'test', '--list', '--reporter=json'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (listed.status !== 0) throw new Error(`playwright test --list failed: ${listed.stderr || listed.stdout}`);
    const report = JSON.parse(listed.stdout) as Suite & { errors?: { message: string }[] };
    if (report.errors?.length) throw new Error(report.errors.map((e) => e.message).join('\n'));
    const checks: ListedCheck[] = [];
    const walk = (suite: Suite) => {
      for (const child of suite.suites ?? []) walk(child);
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests)
          checks.push({
            ...checkInfo(t.annotations),
            file: `tests/${spec.file}`,
            line: spec.line,
            title: spec.title,
          });
    };
    walk(report);
    return checks;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The checks of a rule, as one-place counts them: those whose rule it is, and those that cover it; for
 * a rule without such a check, those that decide it on the way (UPSERT-NO-MERGE's are UPSERT-REPLACES'
 * checks). The model's check is no one rule's; a generated search covers, besides its own rule,
 * whatever rule its runs can break (a 5xx on the way, a POST it needed taken), so only its own rule
 * counts it. The rule index lists both under every rule they cover.
 */
export function checksOf(rule: Rule, checks: readonly ListedCheck[]): ListedCheck[] {
  const ruled = checks.filter((c) => c.section !== MODEL.id);
  const own = ruled.filter((c) => c.rule === rule.id || (!c.generated && c.covers.includes(rule.id)));
  return own.length ? own : ruled.filter((c) => c.also.includes(rule.id));
}

/**
 * What is out of place, one line each, naming the rule and the files: a rule whose checks are not all
 * in its section's spec file, a rule without a check, a check of the model outside the model's file,
 * and a check of a rule in the model's file.
 */
export function misplaced(checks: readonly ListedCheck[]): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    const files = [...new Set(checksOf(rule, checks).map((c) => c.file))].sort();
    const home = specFileOf(rule.section);
    if (!files.length) problems.push(`${rule.id} has no check (its section's file is ${home})`);
    else if (files.length > 1 || files[0] !== home)
      problems.push(
        `${rule.id} (section ${rule.section}) has checks in ${files.join(', ')}: all of them belong in ${home}`,
      );
  }
  const modelFile = specFileOf(MODEL.id);
  for (const c of checks)
    if ((c.section === MODEL.id) !== (c.file === modelFile))
      problems.push(
        c.section === MODEL.id
          ? `the check of the model '${c.title}' is in ${c.file}: it belongs in ${modelFile}`
          : `${c.rule}'s check '${c.title}' is in ${modelFile}, which holds the check of the model only`,
      );
  return problems;
}
