// Concurrent writes of one name: exactly one entry, ever, holding one of the posted configs; and
// POSTs racing a DELETE of the list. UPSERT-NO-DUPLICATE's checks, in tests/upsert.spec.ts.
import { sent } from '../fixtures/sending.ts';
import type { Provider } from '../contract/provider.ts';
import { is2xx } from '../client/http.ts';
import { ConformanceFailure, Findings, together } from '../verdicts/failure.ts';
import { entriesNamed, type ProviderList } from '../verdicts/provider-list.ts';
import { firstDifference, shown, type SecretJudge } from '../verdicts/difference.ts';
import { statusIs } from '../verdicts/assertions.ts';
import type { Body } from '../fixtures/rule.ts';

/** How many POSTs of one name race one another. */
export const RACING = 8;

export const concurrentPostsOfOneName: Body = async ({ api, make, read, secrets }) => {
  const findings = new Findings();
  const name = make.name();
  // The configs the name may hold: those of the last round that had a POST taken (a POST refused, a 409
  // say, is POST-VALID-200's failure, and leaves what was taken before).
  let held: Provider[] = [];
  for (const round of ['new', 'existing']) {
    const posts = Array.from({ length: RACING }, () => make.provider('bearer', name));
    const answers = await together(
      posts.map((p, i) => sent(findings, `concurrent POST ${i + 1} of the ${round} name`, () => api.post(p))),
    );
    for (const x of answers) await findings.check(() => statusIs('POST-VALID-200', x));
    const taken = posts.filter((_, i) => is2xx(answers[i].received.status));
    const before = held;
    if (taken.length) held = taken;
    heldOnce(
      findings,
      await read(),
      name,
      held,
      `after ${RACING} concurrent POSTs of the ${round} name`,
      secrets,
      !held.length,
      held === before ? [] : before,
    );
  }
  findings.throwIfAny();
};

export const postsRacingDelete: Body = async ({ api, make, read, secrets }) => {
  const findings = new Findings();
  for (let round = 1; round <= 4; round++) {
    const name = make.name();
    const posts = Array.from({ length: round }, () => make.provider('basic', name));
    await together([
      ...posts.map((p) => sent(findings, `POST racing a DELETE (round ${round})`, () => api.post(p))),
      sent(findings, 'DELETE racing POSTs', () => api.clear()),
    ]);
    heldOnce(findings, await read(), name, posts, `after ${round} POST(s) of one name raced a DELETE`, secrets, true);
  }
  findings.throwIfAny();
};

/** The name is listed once (or, after a race with a DELETE, at most once), holding one of `posts`' configs. */
function heldOnce(
  findings: Findings,
  list: ProviderList,
  name: string,
  posts: Provider[],
  what: string,
  judge: SecretJudge,
  mayBeGone = false,
  earlier: Provider[] = [],
): void {
  const found = entriesNamed(list, name);
  if (found.length > 1)
    findings.add(
      new ConformanceFailure('UPSERT-NO-DUPLICATE', `${what}, GET lists ${shown(name)} ${found.length} times`),
    );
  else if (found.length === 0 && !mayBeGone)
    findings.add(
      new ConformanceFailure('GET-READ-AFTER-WRITE', `${what}, all answered 200, GET does not list ${shown(name)}`),
    );
  else if (found.length === 1 && !posts.some((p) => !firstDifference(found[0].config, p.config, '$'))) {
    findings.add(
      // A config taken before these POSTs, still held, is the reposts not taken as replacements.
      earlier.some((p) => !firstDifference(found[0].config, p.config, '$'))
        ? new ConformanceFailure(
            'UPSERT-REPLACES',
            `${what}, all answered 200, ${shown(name)} still holds a config posted before them`,
          )
        : new ConformanceFailure(
            'GET-CONFIG-ROUNDTRIP',
            `${what}, ${shown(name)} ${unlikeAny(found[0].config, posts, judge)}`,
          ),
    );
  }
}

/** How a config differs from every posted one: as an alteration of one's secret (cut, trimmed) when it is one. */
function unlikeAny(held: unknown, posts: Provider[], judge: SecretJudge): string {
  const differences = posts.flatMap((p) => firstDifference(held, p.config, '$.config', judge) ?? []);
  const altered = differences.find((d) => d.includes('holds the secret posted'));
  return altered ? `holds none of the posted configs: ${altered}` : 'holds none of the posted configs (a mix of them?)';
}
