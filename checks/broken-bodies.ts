// Every body that breaks the contract, each kind of wrong value once (generation/wire.ts enumerates
// them), and the bodies whose reading the rules leave open: checks of tests/post.spec.ts and
// tests/robustness.spec.ts send them all on every run. A server that takes one may then be unable to
// serve its list (a NaN it stored): these run with the whole-list checks, alone, and empty the list
// when anything was taken, so that no other check is blamed for it.
import { IN_FLIGHT, is2xx, type Exchange } from '../client/http.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { sent, sentAll } from '../fixtures/sending.ts';
import { atOnceElseOneByOne } from './at-once.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import { brokenBodies, openSyntax, syntaxNearMisses, type BrokenBody } from '../generation/wire.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { annotate } from '../report/report-model.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, Findings, inWaves } from '../verdicts/failure.ts';
import { jsonObjectBody } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';
import { stillOpen } from '../state/failed-rules.ts';

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

/**
 * Every body that breaks a rule of the contract gets its rule's 400 with a JSON body, and none of them
 * writes anything; a rule already failed on the target leaves its bodies out. The bodies go at once
 * (each carries a name and a marker of its own, so what one wrote names it, and each answer is judged
 * on its own body's rule), and the list is read once after them all.
 */
export const refusesEveryBody: Body = async ({ api, make, settings, secrets }, testInfo) => {
  const findings = new Findings();
  const open = stillOpen(settings);
  const cases = BROKEN(settings.profile)
    .filter((b) => open(b.rule))
    .map((body) => ({ body, name: make.name(), marker: make.marker(), what: `POST with ${body.what}` }));
  let taken: BrokenBody | undefined;
  try {
    const answers = await sentAll(
      findings,
      cases.map((c) => ({ what: c.what, send: () => api.postText(c.body.text(c.name, c.marker)) })),
      IN_FLIGHT,
    );
    for (const [i, { body, what }] of cases.entries()) {
      const status = answers[i].received.status;
      if (is2xx(status)) taken ??= body;
      await refusal(findings, body.rule, what, answers[i], body.what);
    }
    if (!taken) await nothingWritten(findings, api, cases);
  } finally {
    // A body the server took may have made its list unservable.
    if (taken) await clearUp({ api, secrets }, testInfo);
  }
  findings.throwIfAny();
};

/**
 * One answer to a body `rule` refuses: that rule's status, else a failure of the rule naming the body
 * (`label` lists it among the others that broke it); refused, a JSON object body (ERROR-400-JSON),
 * returned for whatever else judges it.
 */
export async function refusal(
  findings: Findings,
  rule: RuleId,
  what: string,
  answer: Exchange,
  label: string,
): Promise<Record<string, unknown> | undefined> {
  const status = answer.received.status;
  if (!answeredAs(rule, status)) {
    findings.add(
      new ConformanceFailure(rule, `${what} answered ${status}, not ${named(rule)}`, { judged: answer }),
      `${label} → ${status}`,
    );
    return undefined;
  }
  let body: Record<string, unknown> | undefined;
  await findings.check(() => {
    body = jsonObjectBody('ERROR-400-JSON', answer);
  }, label);
  return body;
}

/** The list shows nothing any refused POST carried; what it shows names the POST that carried it. Returns the GET. */
export async function nothingWritten(
  findings: Findings,
  api: CheckFixtures['api'],
  cases: { name: string; marker: string; what: string }[],
): Promise<Exchange> {
  // Looked for in the raw body: what a refused request wrote may not even fit the schema.
  const answer = await sent(findings, 'GET after the refused POSTs', () => api.list());
  const listed = answer.received.text;
  for (const c of cases) {
    const written = [c.name, c.marker].find((carried) => listed.includes(carried));
    if (!written) continue;
    findings.add(
      new ConformanceFailure(
        'POST-400-NO-CHANGE',
        `every POST answered 400, yet GET now shows ${shown(written)}, which only the ${c.what} carried`,
      ),
    );
    break;
  }
  return answer;
}

/**
 * Each body whose reading the rules leave open gets an answer, and GET still works after it: each POST
 * and the GET after it go at once with the others', and one by one when anything went wrong, so that a
 * GET that fails names the body that broke it.
 */
export const openSyntaxSurvived: Body = async (f, testInfo) => {
  const { api, make } = f;
  try {
    const { findings, result: answered } = await atOnceElseOneByOne(
      (findings, atOnce) =>
        inWaves(openSyntax(), atOnce, async (open) => {
          const x = await sent(findings, `POST with ${open.what}`, () =>
            api.postText(open.text(make.name(), make.marker())),
          );
          await sent(findings, `GET after the POST with ${open.what}`, () => api.list());
          return `POST with ${open.what} answered ${x.received.status}`;
        }),
      () => clearUp(f, testInfo),
    );
    for (const seen of answered) testInfo.annotations.push(annotate.observed(seen));
    findings.throwIfAny();
  } finally {
    await clearUp(f, testInfo);
  }
};
