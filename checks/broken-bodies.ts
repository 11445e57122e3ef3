// Every body that breaks the contract, each kind of wrong value once (generation/wire.ts enumerates
// them), and the bodies whose reading the rules leave open: checks of tests/post.spec.ts and
// tests/robustness.spec.ts send them all on every run. A server that takes one may then be unable to
// serve its list (a NaN it stored): these run with the whole-list checks, alone, and empty the list
// when anything was taken, so that no other check is blamed for it.
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { sent } from '../fixtures/sending.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import { brokenBodies, openSyntax, syntaxNearMisses, type BrokenBody } from '../generation/wire.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { annotate } from '../report/report-model.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, Findings } from '../verdicts/failure.ts';
import { jsonObjectBody } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

// Each profile's computed once a process: every target's copy of a check, and each of its runs, reads them.
const brokenOf = new Map<string, BrokenBody[]>();
const BROKEN = (profile: CheckFixtures['settings']['profile']) => {
  if (!brokenOf.has(profile)) brokenOf.set(profile, [...brokenBodies(profile), ...syntaxNearMisses()]);
  return brokenOf.get(profile)!;
};
/** The broken bodies of each rule that decides a refusal. */
export const REFUSALS = new Map<RuleId, BrokenBody[]>();
for (const b of BROKEN('default')) REFUSALS.set(b.rule, [...(REFUSALS.get(b.rule) ?? []), b]);
/** What the title says, worked out once and not for each target. */
export const OPEN_SYNTAX = openSyntax()
  .map((o) => o.what)
  .join('; ');

/** Every body that breaks `ruleId` gets 400 with a JSON body, and none of them writes anything. */
export const refusesEvery =
  (ruleId: RuleId): Body =>
  async ({ api, make, settings, secrets }, testInfo) => {
    const findings = new Findings();
    const bodies = BROKEN(settings.profile).filter((b) => b.rule === ruleId);
    const carried: string[] = [];
    let taken: BrokenBody | undefined;
    try {
      for (const body of bodies) {
        const [name, marker] = [make.name(), make.marker()];
        carried.push(name, marker);
        const what = `POST with ${body.what}`;
        const x = await sent(findings, what, () => api.postText(body.text(name, marker)));
        const status = x.received.status;
        if (status >= 200 && status < 300) taken ??= body;
        if (!answeredAs(body.rule, status))
          findings.add(
            new ConformanceFailure(body.rule, `${what} answered ${status}, not ${named(body.rule)}`),
            `${body.what} → ${status}`,
          );
        else await findings.check(() => jsonObjectBody('ERROR-400-JSON', x), body.what);
      }
      if (!taken) {
        // Looked for in the raw body: what a refused request wrote may not even fit the schema.
        const listed = await sent(findings, 'GET after the refused POSTs', () => api.list());
        const written = carried.find((c) => listed.received.text.includes(c));
        if (written)
          findings.add(
            new ConformanceFailure(
              'POST-400-NO-CHANGE',
              `every POST answered 400, yet GET now shows ${shown(written)}, which only one of them carried`,
            ),
          );
      }
    } finally {
      // A body the server took may have made its list unservable.
      if (taken) await clearUp({ api, secrets }, testInfo);
    }
    findings.throwIfAny();
  };

/** Each body whose reading the rules leave open gets an answer, and GET still works after it. */
export const openSyntaxSurvived: Body = async ({ api, make, secrets }, testInfo) => {
  const findings = new Findings();
  try {
    for (const open of openSyntax()) {
      const x = await sent(findings, `POST with ${open.what}`, () =>
        api.postText(open.text(make.name(), make.marker())),
      );
      testInfo.annotations.push(annotate.observed(`POST with ${open.what} answered ${x.received.status}`));
      await sent(findings, `GET after the POST with ${open.what}`, () => api.list());
    }
  } finally {
    await clearUp({ api, secrets }, testInfo);
  }
  findings.throwIfAny();
};
