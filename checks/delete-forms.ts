// The DELETE of HTTP-EQUIVALENT (tests/http.spec.ts), on one bot: the plain DELETEs, every form with
// bad credentials, every form with good ones, and the revision's DELETE of one provider in every form.
// A DELETE of the list empties it, so what must be ordered is: a provider written before each DELETE
// that is to empty it, and the read that shows it gone before the next DELETE. Everything else goes
// side by side: the requests with bad credentials (none may empty the list; sent again one by one only
// when one did), the write for the next form beside the read after the last, the DELETEs of one
// provider each on a provider of its own.
import { readAfter, sent } from '../fixtures/sending.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import type { Provider } from '../contract/provider.ts';
import type { ProviderApi } from '../client/api.ts';
import { is2xx } from '../client/http.ts';
import { ruleOn } from '../relations/catalogue.ts';
import { ConformanceFailure, type Findings } from '../verdicts/failure.ts';
import { entriesNamed, type ProviderList } from '../verdicts/provider-list.ts';
import { statusIs } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import { DELETE_FORMS, sameAnswer } from './relations.ts';
import { sentInForms, side, type Window } from './in-flight.ts';

/** What one bot's part of the check works with. */
interface Bot {
  f: CheckFixtures;
  who: string;
  client: ProviderApi;
  findings: Findings;
  window: Window;
  /** An Authorization value with a token no bot has. */
  wrong: string;
  /** This bot's share of the forms with good credentials: the forms at `index` modulo `of`. */
  share: { index: number; of: number };
}

const fill = async ({ f, client }: Bot): Promise<Provider> => {
  const p = f.make.provider('bearer');
  statusIs('POST-VALID-200', await client.post(p));
  return p;
};
const readList = (b: Bot, after: string): Promise<ProviderList> => readAfter(b.f.read, after, b.findings, b.client);
const holding = async (b: Bot, name: string, after: string) => entriesNamed(await readList(b, after), name).length > 0;
const nothing = Promise.resolve(undefined);

/** Every DELETE of the check on one bot. */
export async function deletedInForms(b: Bot): Promise<void> {
  const plain = await plainDeletes(b);
  const one = b.f.settings.profile === '2020-03-10' ? await plainRemovals(b) : undefined;
  await withBadCredentials(b, plain);
  await withGoodCredentials(b, plain);
  if (one) await removals(b, one);
}

/**
 * The plain DELETEs, each after the list holds a provider: with bad credentials (both at once), then
 * with good ones. What they do is the measure of what each form must do: a server whose plain DELETE
 * does not empty the list is judged by DELETE-EMPTIES' own checks, not here.
 */
async function plainDeletes(b: Bot) {
  const { who, client, findings, window, wrong } = b;
  const kept = await fill(b);
  const [missing, wrongly] = await window.all(findings, [
    {
      what: `the plain DELETE of ${who}'s list without Authorization`,
      send: () => client.clear({ authorization: null }),
    },
    {
      what: `the plain DELETE of ${who}'s list with a wrong token`,
      send: () => client.clear({ authorization: wrong }),
    },
  ]);
  const badKept = await holding(b, kept.name, `the plain DELETEs of ${who}'s list with bad credentials`);
  const good = await sent(findings, `the plain DELETE of ${who}'s list`, () => client.clear());
  // The provider the forms with bad credentials must leave, written beside the read.
  const [p, held] = await side(fill(b), holding(b, kept.name, `the plain DELETE of ${who}'s list`));
  return { missing, wrong: wrongly, good, badKept, emptied: !held, p };
}
type Plain = Awaited<ReturnType<typeof plainDeletes>>;

/** The revision's plain DELETEs of one provider, with a wrong token and with the bot's own, each on a provider of its own. */
async function plainRemovals(b: Bot) {
  const { who, client, findings, window, wrong } = b;
  const [q, r] = await side(fill(b), fill(b));
  const [wrongOne, goodOne] = await window.all(findings, [
    {
      what: `the plain DELETE of one provider of ${who} with a wrong token`,
      send: () => client.remove(r.name, { authorization: wrong }),
    },
    { what: `the plain DELETE of one provider of ${who}`, send: () => client.remove(q.name) },
  ]);
  const list = await readList(b, `the plain DELETEs of one provider of ${who}`);
  return {
    good: goodOne,
    wrong: wrongOne,
    removed: !entriesNamed(list, q.name).length,
    badKept: entriesNamed(list, r.name).length > 0,
  };
}
type PlainRemovals = Awaited<ReturnType<typeof plainRemovals>>;

/**
 * With bad credentials, every form at once against a list that holds a provider, then one read: none
 * may empty the list. Only when one did are they sent again one by one, to name it. The provider the
 * first DELETE with good credentials is to remove is written beside that read.
 */
async function withBadCredentials(b: Bot, plain: Plain): Promise<void> {
  const { who, client, findings, window, wrong } = b;
  const badOnes = DELETE_FORMS.filter((form) => form.connection !== 'kept').flatMap((form) =>
    (
      [
        ['without Authorization', { authorization: null }, plain.missing],
        ['with a wrong token', { authorization: wrong }, plain.wrong],
      ] as const
    )
      .filter(([, options]) => !(form.needsAuthorization && options.authorization === null))
      .map(([credentials, options, plainAnswer]) => ({
        form,
        plainAnswer,
        what: `DELETE of ${who}'s list ${credentials}, sent with ${form.what}`,
        send: () => client.clear({ ...options, form }),
      })),
  );
  const answers = await window.all(findings, badOnes);
  badOnes.forEach(({ form, what, plainAnswer }, i) => {
    sameAnswer(findings, ruleOn(form, 'DELETE'), what, plainAnswer, answers[i]);
  });
  const [, held] = await side(
    fill(b),
    plain.badKept ? holding(b, plain.p.name, 'DELETEs with bad credentials in every form') : nothing,
  );
  if (held !== false) return;
  for (const { form, what, send } of badOnes) {
    const q = await fill(b);
    await sent(findings, what, send);
    if (!(await holding(b, q.name, what))) {
      findings.add(
        new ConformanceFailure(ruleOn(form, 'DELETE'), `${what} emptied the list; in the plain form it did not`),
        form.what,
      );
      break;
    }
  }
  // The one sent again may have emptied the list: the first form with good credentials must find a provider to remove.
  await fill(b);
}

/**
 * With good credentials, one form after another: each empties a list that holds a provider, and the
 * read that shows it empty goes beside the write for the next form (whose provider it leaves aside).
 * Each form empties one bot's list: the bots share the forms, each list's DELETEs one after another.
 */
async function withGoodCredentials(b: Bot, plain: Plain): Promise<void> {
  const { who, client, findings, share } = b;
  const forms = DELETE_FORMS.filter((_, i) => i % share.of === share.index);
  for (const [i, form] of forms.entries()) {
    const how = `DELETE of ${who}'s list sent with ${form.what}`;
    const x = await sent(findings, how, () => client.clear({ form }));
    const judged =
      sameAnswer(findings, ruleOn(form, 'DELETE'), how, plain.good, x) && is2xx(x.received.status) && plain.emptied;
    const [next, list] = await side(i + 1 < forms.length ? fill(b) : nothing, judged ? readList(b, how) : nothing);
    const left = list?.providers.filter((e) => e.name !== next?.name).length;
    if (left)
      findings.add(
        new ConformanceFailure(
          ruleOn(form, 'DELETE'),
          `${how} answered ${x.received.status} like the plain one, but GET still lists ${left} provider(s)`,
        ),
        form.what,
      );
  }
}

/**
 * The revision's DELETE of one provider names it: every form at once, each on a provider of its own,
 * and every form with a wrong token against one more, which must stay.
 */
async function removals(b: Bot, one: PlainRemovals): Promise<void> {
  const { who, client, findings, window, wrong } = b;
  // A provider for each form, and one more that every form with a wrong token names.
  const providers = Array.from({ length: DELETE_FORMS.length + 1 }, () => b.f.make.provider('bearer'));
  const posted = await window.all(
    findings,
    providers.map((p) => ({ what: `the POST of ${shown(p.name)} to ${who}`, send: () => client.post(p) })),
  );
  for (const x of posted) statusIs('POST-VALID-200', x);
  const kept = providers.at(-1)!;
  const removed = DELETE_FORMS.map((form, i) => ({
    form,
    own: true,
    target: providers[i],
    what: `DELETE of provider ${shown(providers[i].name)} of ${who} sent with ${form.what}`,
    send: (c: ProviderApi) => c.remove(providers[i].name, { form }),
  }));
  const refused = DELETE_FORMS.filter((form) => form.connection !== 'kept').map((form) => ({
    form,
    what: `DELETE of provider ${shown(kept.name)} of ${who} with a wrong token, sent with ${form.what}`,
    send: (c: ProviderApi) => c.remove(kept.name, { authorization: wrong, form }),
  }));
  const answers = await sentInForms(findings, window, client, [...removed, ...refused]);
  const list = await readList(b, `DELETEs of one provider of ${who} in every form`);
  removed.forEach(({ form, what, target }, i) => {
    const y = answers[i];
    if (!sameAnswer(findings, ruleOn(form, 'DELETE'), what, one.good, y) || !is2xx(y.received.status) || !one.removed)
      return;
    if (entriesNamed(list, target.name).length)
      findings.add(
        new ConformanceFailure(
          ruleOn(form, 'DELETE'),
          `${what} answered ${y.received.status} like the plain one, but GET still lists it`,
        ),
        form.what,
      );
  });
  refused.forEach(({ form, what }, i) => {
    sameAnswer(findings, ruleOn(form, 'DELETE'), what, one.wrong, answers[removed.length + i]);
  });
  if (one.badKept && !entriesNamed(list, kept.name).length)
    findings.add(
      new ConformanceFailure(
        'HTTP-EQUIVALENT',
        `a DELETE of provider ${shown(kept.name)} of ${who} with a wrong token, in one of the forms, removed it; in the plain form it did not`,
      ),
    );
}
