// Names a collation, a normaliser or a column type would merge or change (generation/wire.ts). Every
// member is posted with a config of its own; each one taken must come back once, under its exact name,
// with its own config. The families hold fixed names ('007'), so the check (NAME-EXACT's, in
// tests/upsert.spec.ts) needs the whole list and clears it after. Every family's names go at once and
// each family's list is read after them all: a list that holds every name shows any two of them merged,
// whichever came first. Anything found is looked for again family by family, each read before the next
// is posted (checks/at-once.ts), which names the family that broke the rule: the families the run at
// once found something in, after the others (posted at once and not read again, so that the list holds
// what it held and a merge across families still shows).
import { IN_FLIGHT } from '../client/http.ts';
import { readAfter, sentAll } from '../fixtures/sending.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import { atOnceElseOneByOne } from './at-once.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import { markedProvider, nameFamilies, type NameFamily } from '../generation/wire.ts';
import { judgeAnswer } from '../driver/post-answer.ts';
import { judge } from '../model/rules.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { entriesNamed, type ProviderList } from '../verdicts/provider-list.ts';
import { fail, type Findings, together } from '../verdicts/failure.ts';
import { isServerError } from '../verdicts/robustness.ts';
import { shown } from '../verdicts/difference.ts';
import type { Body } from '../fixtures/rule.ts';

/** A family's names not posted by an earlier family, each with the marker of its config. */
interface Posting {
  family: NameFamily;
  names: { name: string; marker: string }[];
}

export const namesKeptApart: Body = async (f, testInfo) => {
  // The families (by what they are) the run at once found something in; none known: every family.
  const implicated = new Set<string>();
  try {
    const { findings } = await atOnceElseOneByOne(
      async (findings, atOnce) => {
        const postings = postingsOf(f.make);
        // At once, every family's names go together and each family's list is read after them all;
        // one by one, each family is posted and read before the next, as the list then holds less.
        if (atOnce > 1) return postedAndRead(f, findings, postings, atOnce, implicated);
        const again = implicated.size ? postings.filter((p) => implicated.has(p.family.what)) : postings;
        const others = postings.filter((p) => !again.includes(p)).flatMap((p) => p.names);
        await sentAll(
          findings,
          others.map(({ name, marker }) => ({
            what: `POST of the name ${shown(name)}`,
            send: () => f.api.postText(JSON.stringify(markedProvider(name, marker))),
          })),
          IN_FLIGHT,
        );
        for (const posting of again) await postedAndRead(f, findings, [posting], atOnce);
      },
      () => clearUp(f, testInfo),
    );
    findings.throwIfAny();
  } finally {
    await clearUp(f, testInfo);
  }
};

/** Every family's names, with a config of its own each; a name two families share is posted once. */
function postingsOf(make: CheckFixtures['make']): Posting[] {
  // Posted again it would be a reused name, the upsert rules' subject.
  const postedBefore = new Set<string>();
  return nameFamilies(make.name()).map((family) => {
    const fresh = family.names.filter((name) => !postedBefore.has(name));
    for (const name of fresh) postedBefore.add(name);
    return { family, names: fresh.map((name) => ({ name, marker: make.secret() })) };
  });
}

/**
 * Posts the families' names, `atOnce` at a time, then reads the list once a family and judges its
 * names; a family it finds anything in goes into `implicated`, when given.
 */
async function postedAndRead(
  { api, read, settings }: CheckFixtures,
  findings: Findings,
  postings: Posting[],
  atOnce: number,
  implicated?: Set<string>,
): Promise<void> {
  const posts = postings.flatMap(({ family, names }) =>
    names.map(({ name, marker }) => {
      const provider = markedProvider(name, marker);
      return { family, name, marker, provider, text: JSON.stringify(provider) };
    }),
  );
  const what = (p: (typeof posts)[number]) => `POST of the name ${shown(p.name)} (${p.family.what})`;
  const answers = await sentAll(
    findings,
    posts.map((p) => ({ what: what(p), send: () => api.postText(p.text) })),
    atOnce,
  );
  const taken = new Set<string>();
  for (const [i, p] of posts.entries()) {
    const held = await findings.check(() => {
      const verdict = judge(settings.profile, p.provider);
      if (judgeAnswer({ text: p.text, body: p.provider, verdict, name: p.name }, answers[i], what(p)))
        taken.add(p.name);
    }, what(p));
    if (!held || isServerError(answers[i].received.status)) implicated?.add(p.family.what);
  }
  const lists = await together(
    postings.map(({ family }) =>
      readAfter(read, `the POSTs of the names ${family.names.map(shown).join(', ')} (${family.what})`, findings),
    ),
  );
  for (const [i, { family, names }] of postings.entries()) {
    const posted = names.filter(({ name }) => taken.has(name));
    for (const { name, marker } of posted)
      if (
        !(await findings.check(() => keptApart(lists[i], name, marker, posted, family.rule, family.what), family.what))
      )
        implicated?.add(family.what);
  }
}

/** The name is listed once, exactly, with its own config; where it went instead is named. */
function keptApart(
  list: ProviderList,
  name: string,
  marker: string,
  family: { name: string; marker: string }[],
  ruleId: RuleId,
  what: string,
): void {
  const carrying = list.providers.filter((p) => JSON.stringify(p.config ?? {}).includes(marker));
  const found = entriesNamed(list, name);
  if (found.length > 1) fail('UPSERT-NO-DUPLICATE', `GET lists ${shown(name)} ${found.length} times`);
  if (found.length === 0) {
    const as = carrying.find((p) => p.name !== name);
    fail(
      ruleId,
      as
        ? `the name ${shown(name)} was changed: GET lists its provider as ${shown(String(as.name))} (${what})`
        : `the name ${shown(name)} was taken (200) but GET does not list it: it was merged with another name of its family (${what})`,
    );
  }
  if ((found[0].config as { bearer?: unknown }).bearer !== marker) {
    const other = family.find((m) => m.name !== name && (found[0].config as { bearer?: unknown }).bearer === m.marker);
    fail(
      ruleId,
      other
        ? `${shown(name)} and ${shown(other.name)} were merged into one provider: ${shown(name)} lists the config posted under ${shown(other.name)} (${what})`
        : `${shown(name)} does not list the config posted under it (${what})`,
    );
  }
}
