// Values a client writes or a store keeps otherwise than the compact JSON of the tests: one provider
// in every JSON text (relations/json-text.ts), the shapes the rules leave open, and values at the
// lengths where a column or a read buffer cuts (generation/wire.ts). What is taken must come back
// exactly: the checks of GET-CONFIG-ROUNDTRIP in tests/get.spec.ts.
import { readAfter, sent, sentAll } from '../fixtures/sending.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { atOnceElseOneByOne } from './at-once.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import type { Provider } from '../contract/provider.ts';
import { ENCODINGS } from '../relations/json-text.ts';
import { lengthFamilies, openShapes } from '../generation/wire.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { judge, stored } from '../model/rules.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, Findings } from '../verdicts/failure.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { firstDifference, firstDifferenceAt, shown, reusedNameRule } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

/** What the titles say, worked out once and not for each target. */
export const OPEN_SHAPES = openShapes('m')
  .map((o) => o.what)
  .join('; ');
export const LENGTH_FAMILIES = lengthFamilies('m').length;

// One provider, many JSON texts: clients differ in how they write the same value. Characters each
// encoding writes differently: non-ASCII, quotes, '/', U+2028 (which every server must take), then
// astral characters and controls (which a server may refuse, docs/rules.md): those get the same answer
// in every encoding as in the compact one, and, taken, come back exactly.
export const sameInEveryEncoding: Body = async ({ api, make, read, secrets }) => {
  const findings = new Findings();
  const name = make.name();
  /** The configs posted under the name and taken (200), in order. */
  const taken: object[] = [];
  for (const round of [
    { odd: (i: number) => `é中 "q" \\ / \u2028 ${i}`, open: false },
    { odd: (i: number) => `𝄞 \n\t ${i}`, open: true },
  ]) {
    let compact: number | undefined;
    for (const [i, encoding] of ENCODINGS.entries()) {
      const odd = round.odd(i);
      const provider: Provider = {
        name,
        type: 'www',
        config:
          i % 2
            ? { bearer: `${make.secret()}${odd}` }
            : { basic: { username: `user ${odd}`, password: `${make.secret()}${odd}` } },
      };
      const what = `POST written ${encoding.what}${round.open ? ', with astral characters and controls' : ''}`;
      const x = await sent(findings, what, () => api.postText(encoding.write(provider)));
      const status = x.received.status;
      compact ??= status;
      if (round.open && status !== compact) {
        findings.add(
          new ConformanceFailure(
            'GET-CONFIG-ROUNDTRIP',
            `${what} answered ${status}; written compactly, the same kind of provider got ${compact}`,
          ),
          encoding.what,
        );
        continue;
      }
      if (!answeredAs('POST-VALID-200', status)) {
        if (!round.open)
          findings.add(
            new ConformanceFailure('POST-VALID-200', `${what} answered ${status}, not ${named('POST-VALID-200')}`),
            encoding.what,
          );
        continue;
      }
      const found = entriesNamed(await readAfter(read, `the ${what}`, findings), name);
      if (found.length === 0)
        findings.add(
          new ConformanceFailure('NAME-EXACT', `after the ${what}, GET does not list ${shown(name)}`),
          encoding.what,
        );
      else if (found.length > 1)
        findings.add(
          new ConformanceFailure(
            'UPSERT-NO-DUPLICATE',
            `after the ${what}, GET lists ${shown(name)} ${found.length} times`,
          ),
          encoding.what,
        );
      else {
        const difference = firstDifference(found[0].config, provider.config, '$.config', secrets);
        // Each text reuses the name: an earlier config kept, or merged with the new, is an upsert rule's.
        if (difference)
          findings.add(
            new ConformanceFailure(
              reusedNameRule(found[0].config, provider.config, taken),
              `after the ${what}, ${difference}`,
            ),
            encoding.what,
          );
      }
      taken.push(provider.config);
    }
  }
  findings.throwIfAny();
};

/**
 * The shapes the rules leave open: refused, or kept exactly. Each on a name of its own, so their POSTs
 * go at once and one read judges them all; one by one, each read after its POST, when anything went
 * wrong (checks/at-once.ts), so that a list one of them made unreadable names it.
 */
export const openShapesKeptOrRefused: Body = async (f) => {
  const { findings } = await atOnceElseOneByOne(async (findings, atOnce) => {
    const cases = openShapes(f.make.secret()).map(({ what, provider }) => {
      const name = f.make.name();
      const body = provider(name) as unknown as Provider;
      return { what, name, body, text: JSON.stringify(body) };
    });
    for (const group of atOnce === 1 ? cases.map((c) => [c]) : [cases])
      await openShapesPostedAndRead(f, findings, group, atOnce);
  });
  findings.throwIfAny();
};

/** POSTs `cases`, `atOnce` at a time, then reads the list once and judges each case taken. */
async function openShapesPostedAndRead(
  { api, read, settings, secrets }: CheckFixtures,
  findings: Findings,
  cases: { what: string; name: string; body: Provider; text: string }[],
  atOnce: number,
): Promise<void> {
  const answers = await sentAll(
    findings,
    cases.map((c) => ({ what: `POST of a provider with ${c.what}`, send: () => api.postText(c.text) })),
    atOnce,
  );
  const taken: typeof cases = [];
  for (const [i, { what, name, body, text }] of cases.entries())
    await findings.check(() => {
      const x = answers[i];
      if (
        judgeAnswer({ text, body, verdict: judge(settings.profile, body), name }, x, `POST of a provider with ${what}`)
      )
        taken.push(cases[i]);
    }, what);
  if (!taken.length) return;
  const list = await readAfter(read, `the POST of a provider with ${taken.map((c) => c.what).join('; ')}`, findings);
  for (const { what, name, body } of taken) {
    const found = entriesNamed(list, name);
    const difference =
      found.length === 1
        ? firstDifference(found[0].config, stored(body).config, '$.config', secrets)
        : `it is listed ${found.length} times`;
    if (difference)
      findings.add(
        new ConformanceFailure('GET-CONFIG-ROUNDTRIP', `a provider with ${what} was taken (200), but ${difference}`),
        what,
      );
  }
}

// Values of the lengths where a column or a read buffer cuts. Together they make a list of about a
// megabyte, so the check runs with the whole-list checks and clears the list after itself. Their POSTs
// go at once, and one by one when anything went wrong (checks/at-once.ts).
export const lengthsKept: Body = async (f, testInfo) => {
  try {
    const { findings } = await atOnceElseOneByOne(
      (findings, atOnce) => lengthsPostedAndRead(f, findings, atOnce),
      () => clearUp(f, testInfo),
    );
    findings.throwIfAny();
  } finally {
    await clearUp(f, testInfo);
  }
};

/** Posts a bearer of each length, `atOnce` at a time, reads the list once and judges each value taken. */
async function lengthsPostedAndRead(
  { api, make, read, settings }: CheckFixtures,
  findings: Findings,
  atOnce: number,
): Promise<void> {
  const posts = lengthFamilies(make.secret()).map(({ what, value }) => {
    const provider: Provider = { name: make.name(), type: 'www', config: { bearer: value } };
    return { what, value, provider, text: JSON.stringify(provider) };
  });
  const answers = await sentAll(
    findings,
    posts.map((p) => ({ what: `POST of a bearer of ${p.what}`, send: () => api.postText(p.text) })),
    atOnce,
  );
  const posted: { name: string; value: string; what: string }[] = [];
  for (const [i, { what, value, provider, text }] of posts.entries()) {
    let taken = false;
    await findings.check(() => {
      taken = judgeAnswer(
        { text, body: provider, verdict: judge(settings.profile, provider), name: provider.name },
        answers[i],
        `POST of a bearer of ${what}`,
      );
    }, what);
    if (taken) posted.push({ name: provider.name, value, what });
  }
  const list = await readAfter(read, `the POSTs of long values`, findings);
  for (const { name, value, what } of posted) {
    const listed = entriesNamed(list, name)[0]?.config as { bearer?: unknown } | undefined;
    if (listed?.bearer === value) continue;
    const got = typeof listed?.bearer === 'string' ? listed.bearer : '';
    findings.add(
      new ConformanceFailure(
        'GET-CONFIG-ROUNDTRIP',
        listed
          ? `a bearer of ${what} came back changed: ${[...got].length} characters, the first difference at character ${firstDifferenceAt(got, value)}`
          : `${shown(name)} (a bearer of ${what}) is not listed after its POST answered 200`,
      ),
      what,
    );
  }
}
