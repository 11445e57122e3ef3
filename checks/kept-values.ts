// Values a client writes or a store keeps otherwise than the compact JSON of the tests: one provider
// in every JSON text (relations/json-text.ts), the shapes the rules leave open, and values at the
// lengths where a column or a read buffer cuts (generation/wire.ts). What is taken must come back
// exactly: the checks of GET-CONFIG-ROUNDTRIP in tests/get.spec.ts.
import { readAfter, sent, sentAll } from '../fixtures/sending.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { atOnceElseOneByOne, inWaves } from './at-once.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import type { Provider } from '../contract/provider.ts';
import { ENCODINGS } from '../relations/json-text.ts';
import { lengthFamilies, openShapes } from '../generation/wire.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { judge, stored } from '../model/rules.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, type Findings } from '../verdicts/failure.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { firstDifference, firstDifferenceAt, shown, reusedNameRule, type SecretJudge } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

/** What the titles say, worked out once and not for each target. */
export const OPEN_SHAPES = openShapes('m')
  .map((o) => o.what)
  .join('; ');
export const LENGTH_FAMILIES = lengthFamilies('m').length;

// One provider, many JSON texts: clients differ in how they write the same value. Characters each
// encoding writes differently: non-ASCII, quotes, '/', U+2028 (which every server must take), then
// astral characters and controls (which a server may refuse, docs/rules.md): those get the same answer
// in every encoding as in the compact one, and, taken, come back exactly. Each round reuses a name of
// its own, one text after another, each read right after its POST; the two rounds go side by side
// (checks/at-once.ts).
const ROUNDS = [
  { odd: (i: number) => `é中 "q" \\ / \u2028 ${i}`, open: false },
  { odd: (i: number) => `𝄞 \n\t ${i}`, open: true },
];

export const sameInEveryEncoding: Body = async (f) => {
  const { findings } = await atOnceElseOneByOne(async (findings, atOnce) => {
    // Made before anything is sent, so that the seed gives the same data however the rounds interleave.
    const rounds = ROUNDS.map(({ odd, open }) => {
      const name = f.make.name();
      return { open, name, providers: ENCODINGS.map((_, i) => encodedProvider(f.make, name, odd(i), i)) };
    });
    await inWaves(rounds, atOnce, (round) => everyTextOfOneName(f, findings, round));
  });
  findings.throwIfAny();
};

/** Posts the round's provider in each encoding under its one name, reading the list right after each POST. */
async function everyTextOfOneName(
  { api, read, secrets }: CheckFixtures,
  findings: Findings,
  { open, name, providers }: { open: boolean; name: string; providers: Provider[] },
): Promise<void> {
  /** The configs posted under the name and taken (200), in order. */
  const taken: object[] = [];
  let compact: number | undefined;
  for (const [i, encoding] of ENCODINGS.entries()) {
    const provider = providers[i];
    const what = `POST written ${encoding.what}${open ? ', with astral characters and controls' : ''}`;
    const x = await sent(findings, what, () => api.postText(encoding.write(provider)));
    const status = x.received.status;
    compact ??= status;
    if (open && status !== compact) {
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
      if (!open)
        findings.add(
          new ConformanceFailure('POST-VALID-200', `${what} answered ${status}, not ${named('POST-VALID-200')}`),
          encoding.what,
        );
      continue;
    }
    const found = entriesNamed(await readAfter(read, `the ${what}`, findings), name);
    heldOnceExactly(findings, found, provider, taken, what, encoding.what, secrets);
    taken.push(provider.config);
  }
}

/** The provider the encoding at `i` writes: Bearer and Basic by turns, the odd characters in each value. */
function encodedProvider(make: CheckFixtures['make'], name: string, odd: string, i: number): Provider {
  return {
    name,
    type: 'www',
    config:
      i % 2
        ? { bearer: `${make.secret()}${odd}` }
        : { basic: { username: `user ${odd}`, password: `${make.secret()}${odd}` } },
  };
}

/** The name, reused by each text, is listed once with the config just posted; an earlier config kept is an upsert rule's. */
function heldOnceExactly(
  findings: Findings,
  found: ReturnType<typeof entriesNamed>,
  provider: Provider,
  taken: object[],
  what: string,
  label: string,
  secrets: SecretJudge,
): void {
  if (found.length === 0)
    findings.add(
      new ConformanceFailure('NAME-EXACT', `after the ${what}, GET does not list ${shown(provider.name)}`),
      label,
    );
  else if (found.length > 1)
    findings.add(
      new ConformanceFailure(
        'UPSERT-NO-DUPLICATE',
        `after the ${what}, GET lists ${shown(provider.name)} ${found.length} times`,
      ),
      label,
    );
  else {
    const difference = firstDifference(found[0].config, provider.config, '$.config', secrets);
    if (difference)
      findings.add(
        new ConformanceFailure(
          reusedNameRule(found[0].config, provider.config, taken),
          `after the ${what}, ${difference}`,
        ),
        label,
      );
  }
}

/**
 * The shapes the rules leave open: refused, or kept exactly. Each shape has a name of its own: its POST
 * and the read after it go at once with the other shapes' (checks/at-once.ts).
 */
export const openShapesKeptOrRefused: Body = async ({ make, read, api, settings, secrets }) => {
  const { findings } = await atOnceElseOneByOne((findings, atOnce) =>
    inWaves(openShapes(make.secret()), atOnce, async ({ what, provider }) => {
      const name = make.name();
      const body = provider(name) as unknown as Provider;
      const text = JSON.stringify(body);
      const x = await sent(findings, `POST of a provider with ${what}`, () => api.postText(text));
      let taken = false;
      await findings.check(() => {
        taken = judgeAnswer(
          { text, body, verdict: judge(settings.profile, body), name },
          x,
          `POST of a provider with ${what}`,
        );
      }, what);
      if (!taken) return;
      const found = entriesNamed(await readAfter(read, `the POST of a provider with ${what}`, findings), name);
      const difference =
        found.length === 1
          ? firstDifference(found[0].config, stored(body).config, '$.config', secrets)
          : `it is listed ${found.length} times`;
      if (difference)
        findings.add(
          new ConformanceFailure('GET-CONFIG-ROUNDTRIP', `a provider with ${what} was taken (200), but ${difference}`),
          what,
        );
    }),
  );
  findings.throwIfAny();
};

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
