// Credentials on kept-alive connections: each request is judged on its own header, never on what the
// connection carried before. Each refused request goes between two good ones of its bot, on a
// connection of its own, the connections side by side (a chain of three answers at a distance, not
// twelve); the same requests on new connections (sent together, since a new connection has no before)
// tell a connection's fault from the credential's. All are written by hand on connections the check
// opens itself (client/raw-http.ts): Node's client would not reuse a connection whose server says
// Keep-Alive: timeout=1.
// AUTH-PER-REQUEST's check, in tests/auth.spec.ts.
import { sent, sentAll } from '../fixtures/sending.ts';
import type { RuleId } from '../rules/catalogue.ts';
import { annotate } from '../report/report-model.ts';
import type { ProviderApi } from '../client/api.ts';
import type { WirePool } from '../client/raw-http.ts';
import { IN_FLIGHT, type Exchange } from '../client/http.ts';
import { answeredAs, named } from '../rules/answers.ts';
import { ConformanceFailure, fail, Findings, together } from '../verdicts/failure.ts';
import { entriesNamed } from '../verdicts/provider-list.ts';
import { shown } from '../verdicts/difference.ts';
import { statusIs } from '../verdicts/assertions.ts';
import type { Body } from '../fixtures/rule.ts';
import type { Provider } from '../contract/provider.ts';

/** A request and the rule of its credential (undefined: good credentials, which must get the plain answer). */
type Step = [what: string, bad: RuleId | undefined, send: () => Promise<Exchange>];
interface Sent {
  what: string;
  own?: RuleId;
  x: Exchange;
}

/** What the refused requests carry: the same on new connections and on reused ones. */
interface BadValues {
  provider: Provider;
  wrong: string;
}

/**
 * Each request with bad credentials (the rule of its credential is what it must get), between two
 * requests of the same bot with good ones, on a connection of its own: every refused request comes
 * right after one that had credentials, and every good one right after a refused one. The connections
 * go side by side: the subject is what one connection carries from one request to the next.
 */
function triples(one: ProviderApi, two: ProviderApi | undefined, bad: BadValues): Step[][] {
  const good = (client: ProviderApi, what: string): Step => [what, undefined, () => client.list()];
  const ofOne = good(one, 'GET with the token');
  const between = (g: Step, refused: Step): Step[] => [g, refused, g];
  return [
    between(ofOne, ['GET without Authorization', 'AUTH-MISSING', () => one.list({ authorization: null })]),
    between(ofOne, [
      'POST without Authorization',
      'AUTH-MISSING',
      () => one.post(bad.provider, { authorization: null }),
    ]),
    between(ofOne, ['GET with a wrong token', 'AUTH-WRONG-TOKEN', () => one.list({ authorization: bad.wrong })]),
    between(ofOne, ['DELETE without Authorization', 'AUTH-MISSING', () => one.clear({ authorization: null })]),
    ...(two
      ? [
          between(good(two, "GET of the second bot's list with its token"), [
            "GET of the first bot's list with the second bot's token",
            'AUTH-OTHER-BOT',
            () => one.list({ authorization: `Bearer ${two.bot.token}` }),
          ]),
          between(good(two, "GET of the second bot's list with its token"), [
            "GET of the second bot's list without Authorization",
            'AUTH-MISSING',
            () => two.list({ authorization: null }),
          ]),
        ]
      : []),
  ];
}

/** On new connections every request stands alone: each distinct one once, all at once, by what it is. */
async function sentFresh(findings: Findings, steps: Step[]): Promise<Map<string, Sent>> {
  const distinct = [...new Map(steps.map((step) => [step[0], step])).values()];
  const xs = await sentAll(
    findings,
    distinct.map(([what, , send]) => ({ what, send })),
    IN_FLIGHT,
  );
  return new Map(distinct.map(([what, own], i) => [what, { what, own, x: xs[i] }]));
}

/** On one connection each request goes right after the one before it: that order is the rule's subject. */
async function sentInTurn(findings: Findings, steps: Step[]): Promise<Sent[]> {
  const answers: Sent[] = [];
  for (const [what, own, send] of steps) answers.push({ what, own, x: await sent(findings, what, send) });
  return answers;
}

export const credentialsPerRequest: Body = async (f, testInfo) => {
  const { api, make, read, settings } = f;
  const findings = new Findings();
  const kept = make.provider('bearer');
  statusIs('POST-VALID-200', await api.post(kept));
  const second = settings.secondBot ? f.secondApi : undefined;
  const bad: BadValues = { provider: make.provider('bearer'), wrong: `Bearer ${make.secret()}` };
  // The same requests on new connections, or on the connections of `pool` (a triple on each).
  const on = (pool: WirePool | 'fresh') => triples(api.onWire(pool), second?.onWire(pool), bad);
  const fresh = await sentFresh(findings, on('fresh').flat());
  for (const { own, x } of fresh.values()) if (!own) statusIs('GET-200-SHAPE', x);
  const pools = on('fresh').map(() => api.newWirePool());
  let connections: Sent[][];
  try {
    connections = await together(pools.map((pool, i) => sentInTurn(findings, on(pool)[i])));
  } finally {
    for (const pool of pools) pool.closeAll();
  }
  const onNew = (what: string) => fresh.get(what)!.x.received.status;
  // A good request answers on a connection that has served as on a new one (RFC 9112 § 9.3): an
  // unread body of the refused request before it, say, must not be read as the next request.
  for (const turn of connections)
    turn.forEach(({ what, own, x }, i) => {
      if (own || !x.reused || x.received.status === onNew(what)) return;
      findings.add(
        new ConformanceFailure(
          'HTTP-EQUIVALENT',
          `${what} on a reused connection, right after ${turn[i - 1]?.what ?? 'another request'}, answered ${x.received.status}; on a new connection: ${onNew(what)}`,
        ),
        what,
      );
    });
  // Said only of what the connections did: each request after a connection's first went on it unless the server had closed it.
  const after = connections.flatMap((turn) => turn.slice(1).map((r, i) => ({ x: r.x, before: turn[i].x })));
  if (!after.some(({ x }) => x.reused)) {
    const closed = after.filter(({ before }) => before.closedAfter).length;
    const unanswered = after.filter(({ x, before }) => !x.reused && !before.closedAfter).length;
    testInfo.annotations.push(
      annotate.observed(
        `no request went on a reused connection: the server closed the connection after ${closed} of ${after.length} answers, and closed it unanswered when the next request came ${unanswered} times`,
      ),
    );
  }
  // On a new connection a wrong answer is its credential's rule's; on a reused one, where a new connection was refused, the connection decided.
  for (const { what, own, x } of fresh.values()) {
    if (own && !answeredAs(own, x.received.status))
      findings.add(
        new ConformanceFailure(own, `${what} on a new connection answered ${x.received.status}, not ${named(own)}`),
        what,
      );
  }
  const reused = connections.flatMap((turn) => turn.filter((r) => r.own));
  let stuck = false;
  for (const { what, own, x } of reused) {
    if (!own || answeredAs(own, x.received.status) || !answeredAs(own, onNew(what)) || !x.reused) continue;
    stuck = true;
    findings.add(
      new ConformanceFailure(
        'AUTH-PER-REQUEST',
        `${what} on a reused connection, right after a request with good credentials, answered ${x.received.status}, not ${named(own)} (on a new connection: ${onNew(what)})`,
      ),
      what,
    );
  }
  // What a request the reused connection let through did to the list is that fault's doing, not another rule's.
  if (!stuck)
    await findings.check(async () => {
      if (entriesNamed(await read(), kept.name).length !== 1)
        fail('AUTH-NO-CHANGE', `requests with bad credentials removed ${shown(kept.name)}`);
    });
  findings.throwIfAny();
};
