// GET-SAFE (tests/http.spec.ts) on one bot: each safe request of relations/catalogue.ts, with the read
// after it, must leave the list as it was. They go side by side; a change seen after any of them is
// sought again one request at a time, each on a provider of its own, to name the request that made it.
import { sent } from '../fixtures/sending.ts';
import type { CheckFixtures } from '../fixtures/conformance.ts';
import type { ProviderApi } from '../client/api.ts';
import { SAFE_METHODS, type Distinction } from '../relations/catalogue.ts';
import { ConformanceFailure, type Findings, together } from '../verdicts/failure.ts';
import { statusIs } from '../verdicts/assertions.ts';
import { shown } from '../verdicts/difference.ts';
import { listed } from './relations.ts';

interface Bot {
  f: CheckFixtures;
  who: string;
  client: ProviderApi;
  findings: Findings;
}

/** Every safe request on one bot: the list left as it was. */
export async function leftAsItWas(b: Bot): Promise<void> {
  const { who, findings } = b;
  const changes = await together(SAFE_METHODS.map(await onAProvider(b)));
  if (!changes.some(Boolean)) return;
  let named = false;
  for (const d of SAFE_METHODS) {
    const change = await (await onAProvider(b))(d);
    if (change) findings.add(new ConformanceFailure('GET-SAFE', change), d.what);
    named ||= Boolean(change);
  }
  if (!named)
    findings.add(
      new ConformanceFailure(
        'GET-SAFE',
        `${SAFE_METHODS.map((d) => d.what).join(', ')} of ${who}, sent side by side, changed its list (${changes.find(Boolean)}); sent one at a time, none did`,
      ),
    );
}

/**
 * Writes a provider and reads how the server lists it; then a safe request of that provider (or of the
 * list) with the read after it says how it changed the entry, if it did.
 */
async function onAProvider({ f, who, client, findings }: Bot) {
  const kept = f.make.provider('basic');
  statusIs('POST-VALID-200', await client.post(kept));
  // The entry as the server lists it before: a safe request must leave it so.
  const before = JSON.stringify(listed(await client.list(), [kept.name]));
  return async (d: Distinction): Promise<string | undefined> => {
    const { method, path } = d.safe!;
    const url = path === 'item' ? client.itemUrl(kept.name) : client.listUrl();
    const x = await sent(findings, `${d.what} of ${who}`, () => client.request(method, url));
    const after = listed(await client.list(), [kept.name]);
    if (JSON.stringify(after) === before) return undefined;
    return `${d.what} of ${who} (answered ${x.received.status}) changed its list: ${shown(kept.name)} is ${after.length ? 'listed otherwise' : 'gone'}`;
  };
}
