// What stands between the suite and a real target, over real HTTP on loopback: an API gateway that
// wants a header of its own (--header, CONFORMANCE_HEADERS, the configuration file's headers), an
// https target that wants a client certificate (--client-cert/--client-key, --client-pfx), and a host
// that does not resolve. Each works when given, is refused clearly when not, and no secret of it
// reaches any output.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { faultOf } from '../faulty/catalogue.ts';
import { clientCertificate, privateCa } from './support/certificates.ts';
import { leaksOf } from './support/leaks.ts';
import { attachmentsOf } from './support/outputs.ts';
import { forwardProxy } from './support/proxy.ts';
import { QUICK_ENV, runCommand, runSuite, type SuiteRun } from './support/run-suite.ts';
import { scratchDir } from './support/scratch.ts';
import { startTarget, type Target } from './support/servers.ts';

const said = (run: SuiteRun) => run.stdout + run.stderr;

/** An API gateway in front of `upstream`: 401 without its key, 403 with another, else the request forwarded as it came. */
async function gateway(
  upstream: string,
  header: string,
  key: string,
): Promise<{ url: string; seen: { passed: number; refused: number }; upstream: string; close(): Promise<void> }> {
  const seen = { passed: 0, refused: 0 };
  const front = { upstream };
  const server = http.createServer((req, res) => {
    const given = req.headers[header.toLowerCase()];
    if (given !== key) {
      seen.refused++;
      req.resume();
      res.writeHead(given === undefined ? 401 : 403, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ message: 'gateway', reason: 'no gateway key' }));
    }
    seen.passed++;
    const forwarded = http.request(
      `${front.upstream}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(front, {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** A target's variables with another base URL, and no other region (the quick runs need none). */
const at = (target: Target, url: string) => ({ ...target.env, TARGET_URL: url, OTHER_REGION_URL: undefined });

test('extra headers: a gateway that wants a key passes only with it (flag, variable, configuration file), on every request; the key never reaches an output, and a curl line shows it as $VARIABLE', async () => {
  const target = await startTarget();
  const faulty = await startTarget(faultOf('POST-VALID-200').App);
  const key = `gatewaykey${Date.now().toString(36)}Z9`;
  const front = await gateway(target.main.url, 'X-Gateway-Key', key);
  try {
    const without = await runSuite({ env: { ...at(target, front.url), ...QUICK_ENV } });
    expect(without.report?.outcome).toBe('aborted');
    expect(without.report?.abortReason).toContain("the target refuses the credentials of bot 'bot-a'");

    const refusedBefore = front.seen.refused;
    const withKey = await runSuite({
      env: {
        ...at(target, front.url),
        ...QUICK_ENV,
        GATEWAY_KEY: key,
        CONFORMANCE_HEADERS: 'X-Gateway-Key: env:GATEWAY_KEY\nX-Tenant: acme',
      },
    });
    expect(withKey.report?.outcome, said(withKey).slice(-800)).toBe('passed');
    // Every request carried it: the preflight, the snapshot, the checks and the restore.
    expect(front.seen.refused).toBe(refusedBefore);
    expect(front.seen.passed).toBeGreaterThan(10);
    expect(leaksOf(withKey, [key])).toEqual([]);

    // A failure's transcript and curl lines (a server behind the gateway that breaks a rule): the key as its variable.
    front.upstream = faulty.main.url;
    const failing = await runSuite({
      env: {
        ...at(faulty, front.url),
        CONFORMANCE_RULES: 'POST-VALID-200',
        CONFORMANCE_BUDGET: '0',
        GATEWAY_KEY: key,
        CONFORMANCE_HEADERS: 'X-Gateway-Key: env:GATEWAY_KEY\nX-Tenant: acme',
      },
    });
    expect(failing.report?.outcome, said(failing).slice(-800)).toBe('failed');
    const exchanges = attachmentsOf(failing.reportDir).join('\n');
    expect(exchanges).toContain('> X-Gateway-Key: $GATEWAY_KEY');
    expect(exchanges).toContain('-H "X-Gateway-Key: $GATEWAY_KEY"');
    expect(exchanges).toContain("-H 'X-Tenant: acme'");
    // Its Reproduce line asks for the headers again: the secret one by its variable.
    expect(said(failing)).toMatch(
      /Reproduce: .*, and CONFORMANCE_HEADERS of X-Gateway-Key: env:GATEWAY_KEY, X-Tenant\)/,
    );
    expect(leaksOf(failing, [key])).toEqual([]);
    expect(front.seen.refused).toBe(refusedBefore);
    front.upstream = target.main.url;

    // The configuration file's form, per target, its key in a variable of the prefix the file names.
    const dir = scratchDir('config');
    const file = join(dir, 'conformance.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        targets: [
          {
            name: 'gated',
            url: front.url,
            bot: { id: target.bots.botA, tokenEnv: 'GATED_TOKEN' },
            headers: { 'X-Gateway-Key': 'env:CONFORMANCE_GATEWAY_KEY' },
          },
        ],
      }),
    );
    const configured = await runSuite({
      env: { ...QUICK_ENV, CONFORMANCE_CONFIG: file, GATED_TOKEN: target.bots.tokenA, CONFORMANCE_GATEWAY_KEY: key },
    });
    expect(configured.report?.outcome, said(configured).slice(-800)).toBe('passed');
    expect(front.seen.refused).toBe(refusedBefore);
    expect(leaksOf(configured, [key])).toEqual([]);

    // The package's command: --header, its key read from the environment, never typed.
    const flagged = await runCommand(
      [
        '--target',
        front.url,
        '--bot-id',
        target.bots.botA,
        '--header',
        'X-Gateway-Key: env:GATEWAY_KEY',
        '--header',
        'X-Tenant: acme',
        ...['--rule', QUICK_ENV.CONFORMANCE_RULES, '--budget', '0', '--report-dir', scratchDir('reports')],
      ],
      { API_TOKEN: target.bots.tokenA, GATEWAY_KEY: key, CONFORMANCE_STATE_DIR: scratchDir('state') },
    );
    expect(flagged.code, flagged.output.slice(-800)).toBe(0);
    expect(flagged.output).not.toContain(key);
  } finally {
    await Promise.all([front.close(), target.close(), faulty.close()]);
  }
});

test('a header the suite sets itself, or a malformed one, is a usage error naming --header (exit 2), before anything starts; CONFORMANCE_HEADERS likewise', async () => {
  for (const [header, message] of [
    ['Authorization: Bearer x', "--header: Authorization is the suite's own to set"],
    ['content-length: 5', "--header: content-length is the suite's own to set"],
    ['Host: example.net', "--header: Host is the suite's own to set"],
    ['X-Gateway-Key', "--header takes 'Name: value'; 'X-Gateway-Key' has no colon"],
    ['X Gateway: 1', "--header: 'X Gateway' is not a header name"],
    ['X-Gateway-Key: env:UNSET_GATEWAY_KEY', '--header: X-Gateway-Key takes its value from UNSET_GATEWAY_KEY'],
  ]) {
    const reportDir = join(scratchDir('reports'), 'never');
    const { code, output } = await runCommand(['--header', header, '--report-dir', reportDir]);
    expect(code, output).toBe(2);
    expect(output.trim().split('\n'), output).toHaveLength(1);
    expect(output).toContain(message);
  }
  const run = await runSuite({
    env: {
      TARGET_URL: 'http://127.0.0.1:9',
      BOT_ID: 'b',
      API_TOKEN: 't',
      CONFORMANCE_HEADERS: 'Transfer-Encoding: chunked',
    },
  });
  expect(run.code).not.toBe(0);
  expect(said(run)).toContain("CONFORMANCE_HEADERS: Transfer-Encoding is the suite's own to set");
  expect(run.report).toBeUndefined();
});

test('mutual TLS: a target that wants a client certificate is named at the preflight without one, and passes with PEM files (through a CONNECT proxy too) and with PKCS#12 and its passphrase; a bad file, passphrase or key is a usage error naming the flag', async () => {
  const ca = privateCa();
  const passphrase = `clientpass${Date.now().toString(36)}Q7`;
  const client = clientCertificate(ca.authority, passphrase);
  const target = await startTarget(undefined, {}, undefined, {
    key: ca.key,
    cert: ca.cert,
    ca: ca.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const proxy = await forwardProxy();
  const env = { ...at(target, target.main.url), ...QUICK_ENV, CONFORMANCE_CA_FILE: ca.caFile };
  try {
    const none = await runSuite({ env });
    expect(none.report?.outcome).toBe('aborted');
    expect(none.report?.abortReason).toContain(
      'the server wants a client certificate (mutual TLS) and the suite offered none',
    );
    expect(none.report?.abortReason).toContain(
      '--client-cert FILE --client-key FILE (CONFORMANCE_CLIENT_CERT, CONFORMANCE_CLIENT_KEY) or --client-pfx FILE',
    );
    expect(said(none)).not.toMatch(/dropped|Is it running/);

    const pem = await runSuite({
      env: {
        ...env,
        // A check of the wire too: its requests go on connections the suite opens itself.
        CONFORMANCE_RULES: `${QUICK_ENV.CONFORMANCE_RULES},AUTH-PER-REQUEST`,
        CONFORMANCE_CLIENT_CERT: client.certFile,
        CONFORMANCE_CLIENT_KEY: client.keyFile,
      },
    });
    expect(pem.report?.outcome, said(pem).slice(-800)).toBe('passed');

    const tunnelled = await runSuite({
      env: {
        ...env,
        HTTPS_PROXY: proxy.url,
        CONFORMANCE_CLIENT_CERT: client.certFile,
        CONFORMANCE_CLIENT_KEY: client.encryptedKeyFile,
        CONFORMANCE_CLIENT_KEY_PASSPHRASE: passphrase,
      },
    });
    expect(tunnelled.report?.outcome, said(tunnelled).slice(-800)).toBe('passed');
    expect(proxy.seen.tunnels).toBeGreaterThan(0);

    const pfx = await runSuite({
      env: { ...env, CONFORMANCE_CLIENT_PFX: client.pfxFile, CONFORMANCE_CLIENT_KEY_PASSPHRASE: passphrase },
    });
    expect(pfx.report?.outcome, said(pfx).slice(-800)).toBe('passed');
    for (const run of [tunnelled, pfx]) expect(leaksOf(run, [passphrase])).toEqual([]);

    const base = ['--target', target.main.url, '--bot-id', target.bots.botA, '--ca-file', ca.caFile];
    const secrets = { API_TOKEN: target.bots.tokenA };
    for (const [args, extra, message] of [
      [
        ['--client-pfx', client.pfxFile],
        { CONFORMANCE_CLIENT_KEY_PASSPHRASE: 'wrong-passphrase' },
        `--client-pfx names ${client.pfxFile}, which cannot be opened: CONFORMANCE_CLIENT_KEY_PASSPHRASE is not its passphrase`,
      ],
      [
        ['--client-cert', client.certFile, '--client-key', client.encryptedKeyFile],
        {},
        `--client-key names ${client.encryptedKeyFile}, which cannot be decrypted: it is encrypted and CONFORMANCE_CLIENT_KEY_PASSPHRASE is not set`,
      ],
      [
        ['--client-cert', client.certFile, '--client-key', ca.caFile],
        {},
        `--client-key names ${ca.caFile}, which holds no PEM private key`,
      ],
      [
        ['--client-cert', join(scratchDir('missing'), 'nope.pem'), '--client-key', client.keyFile],
        {},
        'nope.pem, which cannot be read: ENOENT',
      ],
      [['--client-cert', client.certFile], {}, '--client-cert and CONFORMANCE_CLIENT_KEY go together'],
    ] as const) {
      const { code, output } = await runCommand([...base, ...args], { ...secrets, ...extra });
      expect(code, output).toBe(2);
      expect(output.trim().split('\n'), output).toHaveLength(1);
      expect(output).toContain(message);
    }
    // A key that is not the certificate's: the server's own key with the client's certificate.
    const otherKey = join(scratchDir('client-cert'), 'other-key.pem');
    writeFileSync(otherKey, ca.key);
    const mismatch = await runCommand([...base, '--client-cert', client.certFile, '--client-key', otherKey], secrets);
    expect(mismatch.code, mismatch.output).toBe(2);
    expect(mismatch.output).toContain(
      `--client-key names ${otherKey}, which is not the private key of the certificate in --client-cert`,
    );
  } finally {
    await Promise.all([proxy.close(), target.close()]);
  }
});

test('a target whose host does not resolve stops at the preflight with "host not found" naming the host, not "unreachable"', async () => {
  const started = performance.now();
  const run = await runSuite({
    env: {
      TARGET_URL: 'http://conformance-target.invalid:8080',
      BOT_ID: 'b',
      API_TOKEN: 'dns-test-token-1',
      ...QUICK_ENV,
    },
  });
  expect(run.report?.outcome).toBe('aborted');
  expect(run.report?.abortReason).toContain('host not found: conformance-target.invalid does not resolve (ENOTFOUND)');
  expect(said(run)).not.toMatch(/unreachable|Is it running/);
  // .invalid never resolves (RFC 2606): the lookup fails at once, offline too.
  expect(performance.now() - started).toBeLessThan(30_000);
});
