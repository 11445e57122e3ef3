// The evidence as it was: what a server sent in a secret's place is shown as sent when it is no secret
// of the run (a server's own ****), masked when it is a secret it altered (cut short); a request that
// got no answer is in the transcript, the HAR file and a curl line like any other; and a failed check
// shows the exchange it judged. Each from real runs, or real exchanges, against servers on loopback.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { contractFor } from '../contract/openapi.ts';
import type { Provider } from '../contract/provider.ts';
import { FAULTS } from '../faulty/catalogue.ts';
import { NO_ANSWER, Unanswering } from '../faulty/fault.ts';
import { MANY_FAULT, withFaults } from '../faulty/many-fault.ts';
import { readTargets } from '../settings/targets.ts';
import { ProviderApi } from '../client/api.ts';
import { secretsOf } from '../client/credentials.ts';
import type { Recorded } from '../client/http.ts';
import { judged } from '../client/transcript.ts';
import { ANSWER_LIMIT, harOf } from '../client/har.ts';
import { ReferenceApp } from '../reference/app.ts';
import type http from 'node:http';
import { leaksOf, secretsOfRun } from './support/leaks.ts';
import { attachmentsOf } from './support/outputs.ts';
import { RecordingApp, recording } from './support/recording.ts';
import { ROOT, runSuite } from './support/run-suite.ts';
import { scratchDir } from './support/scratch.ts';
import { startTarget } from './support/servers.ts';

const faultNamed = (id: string) => FAULTS.find((f) => f.id === id)!.App;
const ROUNDTRIP = { CONFORMANCE_RULES: 'GET-CONFIG-ROUNDTRIP', CONFORMANCE_BUDGET: '0' };

test('a server that lists every secret as **** is reported as listing ****: reason, terminal, transcript and HAR show it, and no secret', async () => {
  const target = await startTarget(recording(faultNamed('masks-secrets')));
  const run = await runSuite({ env: { ...target.env, ...ROUNDTRIP } });
  await target.close();
  expect(run.code).toBe(1);
  const failed = run.report!.rules.find((r) => r.id === 'GET-CONFIG-ROUNDTRIP')!;
  expect(failed.status).toBe('failed');
  // Whichever check read it first: an entry (`$.config.bearer`) or a config (`the config of …: $.bearer`).
  expect(failed.reason).toMatch(/\$\.(config\.)?(bearer|basic\.password) is "\*\*\*\*", not the secret posted/);
  expect(run.stdout).toMatch(/is "\*\*\*\*", not the secret posted/);
  // The failure's message shows the exchange it judged, as the server sent it, and where its HAR file is.
  expect(run.stdout).toMatch(
    /\n {4}Judged: GET \S+\n( {6}> .*\n)+ {6}< 200 application\/json\n {6}< \{.*"\*\*\*\*".*\n {4}HAR: \S*har\/GET-CONFIG-ROUNDTRIP(-\d+)?\.har\n/,
  );
  const exchanges = attachmentsOf(run.reportDir).join('\n');
  expect(exchanges).toMatch(/"(bearer|password)":"\*\*\*\*"/);
  const har = readFileSync(join(run.reportDir, 'har', 'GET-CONFIG-ROUNDTRIP.har'), 'utf8');
  expect(har).toMatch(/\\"(bearer|password)\\":\\"\*\*\*\*\\"/);
  expect(leaksOf(run, secretsOfRun(target, []))).toEqual([]);
});

/** Lists every password and bearer cut to its first 16 characters, as a store with a short column would. */
class Cutting extends RecordingApp {
  readonly cuts = new Set<string>();
  protected override render(providers: Provider[]) {
    const cut = (value: string) => {
      this.cuts.add(value.slice(0, 16));
      return value.slice(0, 16);
    };
    return super.render(
      providers.map((p) => ({
        ...p,
        config: p.config.basic
          ? { basic: { ...p.config.basic, password: cut(p.config.basic.password) } }
          : { bearer: cut(p.config.bearer ?? '') },
      })),
    );
  }
}

test('a server that lists secrets cut short is reported as cutting them, and the cut secrets are masked in every output', async () => {
  const target = await startTarget(Cutting);
  const run = await runSuite({ env: { ...target.env, ...ROUNDTRIP } });
  await target.close();
  expect(run.code).toBe(1);
  expect(run.report!.rules.find((r) => r.id === 'GET-CONFIG-ROUNDTRIP')?.reason).toMatch(
    /holds the secret posted, cut to 16 characters/,
  );
  expect(attachmentsOf(run.reportDir).join('\n')).toContain('«redacted: a secret of the run, cut to 16 characters»');
  // What the server listed is not any secret it was sent, but is most of one: sought as a secret of its own.
  const cuts = [...(target.app as Cutting).cuts];
  expect(cuts.length).toBeGreaterThan(2);
  expect(leaksOf(run, [...secretsOfRun(target, []), ...cuts])).toEqual([]);
});

test('a request that got no answer is in the transcript, the HAR file and a curl line, marked with the timeout', async () => {
  const target = await startTarget(faultNamed('hang-on-deep'));
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_RULES: 'ROBUST-NO-HANG', CONFORMANCE_BUDGET: '0', CONFORMANCE_TIMEOUT_MS: '500' },
    args: ['-g', 'hostile requests'],
  });
  await target.close();
  expect(run.report!.rules.find((r) => r.id === 'ROBUST-NO-HANG')?.status).toBe('failed');
  const exchanges = attachmentsOf(run.reportDir).join('\n');
  // The hostile requests go at once: the one that got no answer is found by its mark, not its place.
  const unanswered = /> POST \S+\n(> .*\n)*< no answer within 500 ms\nreplay: curl -i -X POST .* --data-binary @(\S+)/;
  expect(exchanges).toMatch(unanswered);
  const replayed = unanswered.exec(exchanges)![2];
  expect(readFileSync(resolve(ROOT, replayed), 'utf8')).toContain('[[[[');
  const har = JSON.parse(readFileSync(join(run.reportDir, 'har', 'ROBUST-NO-HANG.har'), 'utf8')) as {
    log: {
      entries: {
        comment?: string;
        request: { method: string; postData?: { text: string } };
        response: { status: number };
      }[];
    };
  };
  const hung = har.log.entries.find((e) => e.comment)!;
  expect(hung).toMatchObject({
    comment: 'no answer within 500 ms',
    request: { method: 'POST' },
    response: { status: 0 },
  });
  expect(hung.request.postData?.text).toContain('[[[[');
});

test("a failed check's message can show the exchange it judged: the request, the answer as sent, bodies clipped, credentials masked, and the HAR file", async () => {
  const target = await startTarget(faultNamed('masks-secrets'));
  const [settings] = readTargets({ ...target.env, CONFORMANCE_REPORT_DIR: scratchDir('judged') });
  const secrets = secretsOf([settings]);
  const log: Recorded[] = [];
  const api = new ProviderApi(settings.targetUrl, settings.bot, contractFor('default'), secrets, 5000, log, 'judged');
  const bearer = `judged-secret-${'x'.repeat(400)}`;
  secrets.add(bearer);
  await api.post({ name: 'judged', type: 'www', config: { bearer } });
  // A second entry with a long name: the list's body is longer than a glance.
  await api.post({ name: 'n'.repeat(200), type: 'www', config: { bearer } });
  await api.list();
  await target.close();
  const harPath = join(settings.reportDir, 'har', 'GET-CONFIG-ROUNDTRIP.har');
  const lines = judged(log, secrets, settings, harPath).split('\n');
  expect(lines[0]).toBe(`Judged: GET ${api.listUrl()}`);
  expect(lines).toContain('  > authorization: Bearer $API_TOKEN');
  expect(lines).toContain('  < 200 application/json');
  expect(lines.at(-2)).toMatch(/^ {2}< \{.*"bearer":"\*\*\*\*".*… \(\d+ characters\)$/);
  expect(lines.at(-2)!.length).toBeLessThan(360);
  expect(lines.at(-1)).toMatch(/^HAR: \S*har\/GET-CONFIG-ROUNDTRIP\.har$/);
  // The POST before it, judged alone: its body masked, and no HAR line without a HAR file.
  const post = judged(log.slice(0, 1), secrets, settings);
  expect(post).toContain('  > {"name":"judged","type":"www","config":{"bearer":"«redacted»"}}');
  expect(post).not.toContain('judged-secret');
  expect(post).not.toContain(settings.bot.token);
  expect(post).not.toContain('HAR:');
});

test('a HAR file keeps the first 16 KiB of a long answer, says where it was cut and from what size, and masks a secret the cut halves', async () => {
  const target = await startTarget(ReferenceApp);
  const [settings] = readTargets({ ...target.env, CONFORMANCE_REPORT_DIR: scratchDir('har-cut') });
  const secrets = secretsOf([settings]);
  const log: Recorded[] = [];
  const api = new ProviderApi(settings.targetUrl, settings.bot, contractFor('default'), secrets, 5000, log, 'har-cut');
  // Long names that are secrets: three quarters of the list's text is secret, and the cut falls in one.
  const named = Array.from(
    { length: 120 },
    (_, i) => `har-cut-secret-${String(i).padStart(3, '0')}-${'q'.repeat(130)}`,
  );
  for (const name of named) secrets.add(name);
  for (const name of named) await api.post({ name, type: 'www', config: { bearer: 'x' } });
  const listed = await api.list();
  await target.close();
  const cut = ANSWER_LIMIT;
  const raw = listed.received.text;
  const halved = named.find((name) => raw.indexOf(name) < cut && raw.indexOf(name) + name.length > cut);
  expect(halved, 'the answer is cut inside a secret').toBeDefined();
  const har = harOf(log, secrets, settings) as {
    log: {
      entries: {
        request: { postData?: { text: string } };
        response: { content: { text: string; size: number; comment?: string } };
      }[];
    };
  };
  const answer = har.log.entries.at(-1)!.response.content;
  expect(answer.size).toBe(Buffer.byteLength(raw));
  expect(answer.comment).toBe(`cut at ${cut} of its ${raw.length} characters`);
  expect(answer.text).toMatch(/"name":"«redacted»… \(\d+ characters\)$/);
  expect(answer.text).not.toContain('har-cut');
  // The requests stay whole (they are what is sent again), their secrets masked.
  expect(har.log.entries[0].request.postData?.text).toBe('{"name":"«redacted»","type":"www","config":{"bearer":"x"}}');
});

test("a failure shows the exchange that broke the rule, not the check's last: a POST taken with a bad token, not the read after it", async () => {
  // A server of many faults (faulty/many-fault.ts): the check goes on past the POST (its family's checks, each with a read).
  const server = MANY_FAULT.find((m) => m.name === 'lax-express')!;
  const target = await startTarget(withFaults(server.faults));
  const run = await runSuite({ env: { ...target.env, CONFORMANCE_SEED: '1' } });
  await target.close();
  // The credential check that fails first (AUTH-WRONG-TOKEN or AUTH-OTHER-BOT, whichever runs first and sweeps the other).
  const judgedAfter = /\((MUST)\) failed: expected 401, got 200 to POST with [^\n]*\n[^\n]*\n\s*Judged: (\S+)/.exec(
    run.stdout,
  );
  expect(judgedAfter?.[2], run.stdout.slice(-3000)).toBe('POST');
});

test('a request dropped among many sent at once is named by the input it carried, and the failure shows that request', async () => {
  // A handler that crashes on an object as name or a string as config (Python's http.server drops the
  // connection then): two drops of one check, the first named, and its request shown, whichever ended last.
  class DropsObjectNames extends Unanswering {
    protected override async readBody(req: http.IncomingMessage) {
      const read = await super.readBody(req);
      if ('raw' in read && /"name":\{|"config":"/.test(read.raw.toString('utf8'))) {
        req.socket.destroy();
        return { answer: NO_ANSWER };
      }
      return read;
    }
  }
  const target = await startTarget(DropsObjectNames);
  const run = await runSuite({
    env: { ...target.env, CONFORMANCE_SEED: '1', CONFORMANCE_RULES: 'POST-400-WRONG-TYPE' },
  });
  await target.close();
  const failed =
    /POST-400-WRONG-TYPE \(MUST\) failed: ([^\n]*)\n[^\n]*\n\s*Judged: POST \S+\n(?:\s*> [^\n]*\n)*?\s*> (\{[^\n]*)\n\s*< ([^\n]*)/.exec(
      run.stdout,
    );
  expect(failed?.[1], run.stdout.slice(-3000)).toMatch(/^POST with an object as name: network error \(dropped\)/);
  expect(failed?.[2]).toMatch(/^\{"name":\{/);
  expect(failed?.[3]).toMatch(/^connection dropped before an answer/);
});
