// Hostile input on every operation: the server may refuse it (any 4xx) or take it, but never answers
// 5xx, drops the connection or hangs; and the bodies whose reading the rules leave open
// (checks/broken-bodies.ts). docs/rules.md: "Robustness, on every operation".
import { OPEN_SYNTAX, openSyntaxSurvived } from '../checks/broken-bodies.ts';
import { test, type CheckFixtures } from '../fixtures/conformance.ts';
import { forEachTarget } from '../fixtures/rule.ts';
import { clearUp } from '../fixtures/clear-up.ts';
import type { Exchange } from '../client/http.ts';
import { togetherElseApart } from '../fixtures/sending.ts';
import { Findings, together } from '../verdicts/failure.ts';
import { survived } from '../verdicts/robustness.ts';

interface Hostile {
  what: string;
  /** `name`: the name the request writes under, when it has one of the check's own (see `huge`). */
  send: (f: CheckFixtures, name: string) => Promise<Exchange>;
  /**
   * Leaves an entry of 100 KB or more when the server takes it, which every later GET of the run
   * would carry (a name cannot be deleted alone): such a check runs with the whole-list checks, alone,
   * and empties the list after itself.
   */
  huge?: true;
  /**
   * Its megabyte is under the name `send` is given: the cleanup first posts a small provider of that
   * name over it, so that a server whose DELETE keeps the list does not serve the megabyte to every
   * check after this one (measured: 70 MB of answers in a run against such a server, 6 MB otherwise).
   */
  named?: true;
}

const MiB = 1024 * 1024;
const json = JSON.stringify;
const provider = (name: unknown, config: unknown = { bearer: 'robustness-check' }) =>
  json({ name, type: 'www', config });

const HOSTILE: Hostile[] = [
  { what: 'POST a name of astral-plane characters', send: ({ api }) => api.postText(provider('𝄞😀🀄𐍈-provider')) },
  { what: "POST the name '__proto__'", send: ({ api }) => api.postText(provider('__proto__')) },
  { what: "POST the name 'constructor'", send: ({ api }) => api.postText(provider('constructor')) },
  {
    what: "POST a body with a '__proto__' key",
    send: ({ api }, name) =>
      api.postText(
        `{"__proto__":{"polluted":true},"name":"${name}","type":"www","config":{"__proto__":{"basic":1},"bearer":"x"}}`,
      ),
  },
  {
    what: 'POST a name of 100 000 characters',
    send: ({ api }) => api.postText(provider('a'.repeat(100_000))),
    huge: true,
  },
  {
    what: 'POST a bearer of 1 MiB',
    send: ({ api }, name) => api.postText(provider(name, { bearer: 'b'.repeat(MiB) })),
    huge: true,
    named: true,
  },
  {
    what: 'POST null for every field',
    send: ({ api }) => api.postText(json({ name: null, type: null, config: null })),
  },
  { what: 'POST null for basic', send: ({ api }, name) => api.postText(provider(name, { basic: null })) },
  {
    what: 'POST a control character in the name',
    send: ({ api }, name) => api.postText(provider(`${name}\u0000\u001f`)),
  },
  {
    what: 'POST a config nested 10 000 levels deep',
    send: ({ api }, name) =>
      api.postText(
        `{"name":"${name}","type":"www","config":{"bearer":"x","extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
      ),
  },
  { what: "POST 1 MiB of '['", send: ({ api }) => api.postText('['.repeat(MiB)) },
  {
    what: 'POST a valid provider without Content-Type',
    send: ({ api, make }, name) => api.post(make.provider('bearer', name), { contentType: null }),
  },
  {
    what: 'POST a valid provider as text/plain',
    send: ({ api, make }, name) => api.post(make.provider('bearer', name), { contentType: 'text/plain' }),
  },
  {
    what: 'POST a valid provider with a malformed Content-Type',
    send: ({ api, make }, name) =>
      api.post(make.provider('bearer', name), { contentType: 'application/json; charset' }),
  },
  { what: 'GET with a bot id of 5 000 characters', send: ({ api }) => api.list({ botId: 'b'.repeat(5000) }) },
  { what: 'GET with a bot id of NUL, dots and unicode', send: ({ api }) => api.list({ botId: '\u0000../..%2f☃' }) },
  {
    what: 'GET with an Authorization header of 6 KB',
    send: ({ api }) => api.list({ authorization: `Bearer ${'t'.repeat(6000)}` }),
  },
  { what: "DELETE on the bot id '__proto__'", send: ({ api }) => api.clear({ botId: '__proto__' }) },
  {
    what: "DELETE on the bot id 'constructor' without credentials",
    send: ({ api }) => api.clear({ botId: 'constructor', authorization: null }),
  },
  // Methods and paths the API does not define, and URLs a router must not choke on: what it answers is
  // open (404, 405, 501…), a crash is not.
  {
    what: 'PUT of the list with a provider',
    send: ({ api }, name) => api.request('PUT', api.listUrl(), {}, provider(name)),
  },
  {
    what: 'PATCH of the list with a provider',
    send: ({ api }, name) => api.request('PATCH', api.listUrl(), {}, provider(name)),
  },
  { what: 'OPTIONS of the list', send: ({ api }) => api.request('OPTIONS', api.listUrl()) },
  { what: 'GET of provider/{name}', send: ({ api }, name) => api.request('GET', api.itemUrl(name)) },
  {
    what: 'DELETE of provider/{name} of a name never posted',
    send: ({ api }, name) => api.request('DELETE', api.itemUrl(name)),
  },
  {
    what: 'GET of a path past the list (…/provider/x/y)',
    send: ({ api }) => api.request('GET', `${api.listUrl()}/x/y`),
  },
  { what: 'GET of …/provision/providers', send: ({ api }) => api.request('GET', `${api.listUrl()}s`) },
  {
    what: 'GET with a bot id cut inside a percent-encoded character (%E0%A4%A)',
    send: ({ api }) => api.request('GET', api.listUrl().replace(encodeURIComponent(api.bot.id), '%E0%A4%A')),
  },
  { what: 'GET with a request-target that is no URL (http://)', send: ({ api }) => api.list({ target: 'http://' }) },
];

/** The hostile requests small enough to leave their entries beside other checks' names. */
const SMALL = HOSTILE.filter((h) => !h.huge);

/**
 * Every small hostile request, `atOnce` at a time, each wave followed by a GET: at once, a distant
 * target is waited for once, not once a request; one at a time (the replay after a failure), the GET
 * after each names the request that left the list unreadable.
 */
async function smallOnesSurvived(f: CheckFixtures, atOnce: number): Promise<void> {
  const findings = new Findings();
  for (let at = 0; at < SMALL.length; at += atOnce) {
    const wave = SMALL.slice(at, at + atOnce);
    await together(wave.map((h) => findings.check(() => survived(h.what, () => h.send(f, f.make.name())), h.what)));
    const after = wave.length === 1 ? `"${wave[0].what}"` : `the ${wave.length} hostile requests`;
    await findings.check(() => survived(`GET after ${after}`, () => f.api.list()));
  }
  findings.throwIfAny();
}

// Registered once for each target of the run (fixtures/conformance.ts).
forEachTarget(({ rule }) => {
  test(
    ...rule(
      'ROBUST-NO-5XX',
      `each of ${SMALL.length} hostile requests (names and bodies a parser chokes on, missing and wrong Content-Types, bot ids no bot has, a 6 KB header, methods and paths the API does not define): no 5xx, no dropped connection, no hang, and GET still works`,
      (f) => togetherElseApart(f, smallOnesSurvived),
      { covers: ['ROBUST-NO-DROP', 'ROBUST-NO-HANG'] },
    ),
  );

  for (const h of HOSTILE.filter((h) => h.huge)) {
    test(
      ...rule(
        'ROBUST-NO-5XX',
        `${h.what}: no 5xx, no dropped connection, no hang, and GET still works`,
        async (f, testInfo) => {
          let answered = false;
          const name = f.make.name();
          try {
            await survived(h.what, () => h.send(f, name));
            answered = true;
            // Whatever was taken must not break the next read (a polluted store answers 500 here).
            await survived(`GET after "${h.what}"`, () => f.api.list());
          } finally {
            // What a huge input left is cleared, never after a hang.
            if (answered) await clearUp(f, testInfo, h.named ? [f.make.provider('bearer', name)] : []);
          }
        },
        { covers: ['ROBUST-NO-DROP', 'ROBUST-NO-HANG'], wholeList: true },
      ),
    );
  }

  test(
    ...rule(
      'ROBUST-NO-5XX',
      `bodies whose reading the rules leave open (${OPEN_SYNTAX}) get 2xx or 4xx, and GET still works`,
      openSyntaxSurvived,
      { wholeList: true, covers: ['ROBUST-NO-DROP', 'ROBUST-NO-HANG'] },
    ),
  );
});
