// Credentials on one kept-alive connection: each request is judged on its own header, never on what
// the connection carried before. The same requests on fresh connections (sent together, since a new
// connection has no before) tell a connection's fault from the credential's. Both are written by hand on connections the check opens itself
// (client/raw-http.ts): Node's client would not reuse a connection whose server says Keep-Alive: timeout=1.
// AUTH-PER-REQUEST's check, in tests/auth.spec.ts.
import { sent, sentAll } from '../fixtures/sending.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { annotate } from '../report/report-model.ts';
import type { ProviderApi } from '../client/api.ts';
import type { Exchange } from '../client/http.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { AT_ONCE, ConformanceFailure, fail, Findings } from '../verdicts/failure.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { shown } from '../verdicts/difference.ts';
import { statusIs } from '../verdicts/assertions.ts';
import type { Body } from '../fixtures/rule.ts';

/** Good and bad requests in turn: each bad one (with the rule of its credential) must get 401. */
type Step = [what: string, bad: RuleId | undefined, send: () => Promise<Exchange>];
interface Sent {
  what: string;
  own?: RuleId;
  x: Exchange;
}

/** On new connections the steps are independent of one another: sent together. */
async function sentTogether(findings: Findings, steps: Step[]): Promise<Sent[]> {
  const xs = await sentAll(
    findings,
    steps.map(([what, , send]) => ({ what, send })),
    AT_ONCE,
  );
  return steps.map(([what, own], i) => ({ what, own, x: xs[i] }));
}

/** On one connection each step goes right after the one before it: that order is the rule's subject. */
async function sentInTurn(findings: Findings, steps: Step[]): Promise<Sent[]> {
  const answers: Sent[] = [];
  for (const [what, own, send] of steps) answers.push({ what, own, x: await sent(findings, what, send) });
  return answers;
}

/** The bad requests among `all`, each with its credential's rule. */
const badOf = (all: Sent[]) => all.flatMap(({ what, own, x }) => (own ? [{ what, own, x }] : []));

export const credentialsPerRequest: Body = async (f, testInfo) => {
  const { api, make, read, settings } = f;
  const findings = new Findings();
  const kept = make.provider('bearer');
  statusIs('POST-VALID-200', await api.post(kept));
  const second = settings.secondBot ? f.secondApi : undefined;
  const sequence = (one: ProviderApi, two?: ProviderApi): Step[] => [
    ['GET with the token', undefined, () => one.list()],
    ['GET without Authorization', 'AUTH-MISSING', () => one.list({ authorization: null })],
    ['GET with the token', undefined, () => one.list()],
    ['POST without Authorization', 'AUTH-MISSING', () => one.post(make.provider('bearer'), { authorization: null })],
    ['GET with the token', undefined, () => one.list()],
    ['GET with a wrong token', 'AUTH-WRONG-TOKEN', () => one.list({ authorization: `Bearer ${make.secret()}` })],
    ['GET with the token', undefined, () => one.list()],
    ['DELETE without Authorization', 'AUTH-MISSING', () => one.clear({ authorization: null })],
    ...(two
      ? ([
          ["GET of the second bot's list with its token", undefined, () => two.list()],
          [
            "GET of the first bot's list with the second bot's token",
            'AUTH-OTHER-BOT',
            () => one.list({ authorization: `Bearer ${two.bot.token}` }),
          ],
          ["GET of the second bot's list with its token", undefined, () => two.list()],
          [
            "GET of the second bot's list without Authorization",
            'AUTH-MISSING',
            () => two.list({ authorization: null }),
          ],
        ] as Step[])
      : []),
  ];
  const freshAll = await sentTogether(findings, sequence(api.onWire('fresh'), second?.onWire('fresh')));
  const fresh = badOf(freshAll);
  for (const { own, x } of freshAll) if (!own) statusIs('GET-200-SHAPE', x);
  const pool = api.newWirePool();
  let reusedAll: Sent[];
  try {
    reusedAll = await sentInTurn(findings, sequence(api.onWire(pool), second?.onWire(pool)));
  } finally {
    pool.closeAll();
  }
  const reused = badOf(reusedAll);
  const all = reusedAll.map((r) => r.x);
  // A good request answers on a connection that has served as on a new one (RFC 9112 § 9.3): an
  // unread body of the refused request before it, say, must not be read as the next request.
  reusedAll.forEach(({ what, own, x }, i) => {
    if (own || !x.reused || x.received.status === freshAll[i].x.received.status) return;
    findings.add(
      new ConformanceFailure(
        'HTTP-EQUIVALENT',
        `${what} on a reused connection, right after ${reusedAll[i - 1]?.what ?? 'another request'}, answered ${x.received.status}; on a new connection: ${freshAll[i].x.received.status}`,
      ),
      what,
    );
  });
  // Said only of what the connections did: each request after the first went on the last one unless the server had closed it.
  const closed = all.slice(0, -1).filter((x) => x.closedAfter).length;
  const unanswered = all.slice(1).filter((x, i) => !x.reused && !all[i].closedAfter).length;
  if (!all.some((x) => x.reused))
    testInfo.annotations.push(
      annotate.observed(
        `no request went on a reused connection: the server closed the connection after ${closed} of ${all.length - 1} answers, and closed it unanswered when the next request came ${unanswered} times`,
      ),
    );
  // On a new connection a wrong answer is its credential's rule's; on a reused one, where a new connection was refused, the connection decided.
  for (const { what, own, x } of fresh) {
    if (!answeredAs(own, x.received.status))
      findings.add(
        new ConformanceFailure(own, `${what} on a new connection answered ${x.received.status}, not ${named(own)}`),
        what,
      );
  }
  let stuck = false;
  reused.forEach(({ what, own, x }, i) => {
    const onNew = fresh[i].x.received.status;
    if (answeredAs(own, x.received.status) || !answeredAs(own, onNew) || !x.reused) return;
    stuck = true;
    findings.add(
      new ConformanceFailure(
        'AUTH-PER-REQUEST',
        `${what} on a reused connection, right after a request with good credentials, answered ${x.received.status}, not ${named(own)} (on a new connection: ${onNew})`,
      ),
      what,
    );
  });
  // What a request the reused connection let through did to the list is that fault's doing, not another rule's.
  if (!stuck)
    await findings.check(async () => {
      if (entriesNamed(await read(), kept.name).length !== 1)
        fail('AUTH-NO-CHANGE', `requests with bad credentials removed ${shown(kept.name)}`);
    });
  findings.throwIfAny();
};
