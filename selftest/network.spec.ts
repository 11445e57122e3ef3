// The suite's client on the terms of real networks: an https target whose certificate comes from a
// private CA made here, a forward proxy on loopback (HTTP_PROXY; HTTPS_PROXY through CONNECT;
// NO_PROXY; a proxy that wants credentials), and answers that are not HTTP. Each failure is named
// at the preflight for what it is, with what to do about it; a run that skips the certificate check
// says so in every report.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { INSECURE } from '../report/report-model.ts';
import { ProviderApi } from '../client/api.ts';
import { CLOSING_IN_FLIGHT } from '../client/connection-limit.ts';
import { Secrets } from '../client/redaction.ts';
import { contractFor } from '../contract/openapi.ts';
import { privateCa } from './support/certificates.ts';
import { leaksOf } from './support/leaks.ts';
import { forwardProxy } from './support/proxy.ts';
import { freePort } from '../tools/ports.ts';
import { QUICK_ENV, runSuite, type SuiteRun } from './support/run-suite.ts';
import { startTarget, type Target } from './support/servers.ts';
import { scratchDir } from './support/scratch.ts';

/** A run of a few rules' checks: enough requests of every operation to show where they went. */
const said = (run: SuiteRun) => run.stdout + run.stderr;

test('an https target with a private CA: the certificate failure is named at the preflight, trusted with --ca-file or NODE_EXTRA_CA_CERTS, and --insecure is printed in every report', async () => {
  const ca = privateCa();
  const target: Target = await startTarget(undefined, {}, undefined, ca);
  try {
    expect(target.env.TARGET_URL).toMatch(/^https:/);
    const untrusted = await runSuite({ env: { ...target.env, ...QUICK_ENV } });
    expect(untrusted.report?.outcome).toBe('aborted');
    expect(untrusted.report?.abortReason).toMatch(
      /the TLS check of the target at https:\/\/127\.0\.0\.1:\d+ failed: the server's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    expect(untrusted.report?.abortReason).toContain('--ca-file FILE (CONFORMANCE_CA_FILE) or NODE_EXTRA_CA_CERTS=FILE');
    expect(said(untrusted)).not.toContain('Is it running');

    for (const trust of [{ CONFORMANCE_CA_FILE: ca.caFile }, { NODE_EXTRA_CA_CERTS: ca.caFile }]) {
      const run = await runSuite({ env: { ...target.env, ...QUICK_ENV, ...trust } });
      expect(run.report?.outcome, `${Object.keys(trust)[0]}: ${said(run).slice(-600)}`).toBe('passed');
      expect(run.report?.insecure).toBeUndefined();
    }

    const insecure = await runSuite({ env: { ...target.env, ...QUICK_ENV, CONFORMANCE_INSECURE: '1' } });
    expect(insecure.report).toMatchObject({ outcome: 'passed', insecure: true });
    expect(insecure.report?.targets[0].insecure).toBe(true);
    // Said when the run starts and again with its verdict.
    expect(insecure.stdout.split(INSECURE).length - 1).toBe(2);
    expect(readFileSync(join(insecure.reportDir, 'conformance.html'), 'utf8')).toContain(INSECURE);

    const notPem = join(scratchDir('ca'), 'ca.pem');
    writeFileSync(notPem, 'not a certificate');
    const bad = await runSuite({ env: { ...target.env, ...QUICK_ENV, CONFORMANCE_CA_FILE: notPem } });
    expect(bad.code).not.toBe(0);
    expect(said(bad)).toContain(`CONFORMANCE_CA_FILE (--ca-file) names ${notPem}, which holds no PEM certificate`);
  } finally {
    await target.close();
  }
});

test('HTTP_PROXY and HTTPS_PROXY carry every request through the proxy (CONNECT for https), NO_PROXY bypasses it, and a proxy that refuses is named; its password is never shown', async () => {
  const password = `proxypw${Date.now().toString(36)}x`;
  const proxy = await forwardProxy(`user:${password}`);
  const plain = await startTarget();
  const ca = privateCa();
  const secure = await startTarget(undefined, {}, undefined, ca);
  const through = proxy.url.replace('//', `//user:${password}@`);
  try {
    const viaHttp = await runSuite({ env: { ...plain.env, ...QUICK_ENV, HTTP_PROXY: through } });
    expect(viaHttp.report?.outcome, said(viaHttp).slice(-600)).toBe('passed');
    expect(proxy.seen.forwarded).toBeGreaterThan(10);
    expect(leaksOf(viaHttp, [password])).toEqual([]);

    const before = proxy.seen.forwarded;
    const bypassed = await runSuite({
      env: { ...plain.env, ...QUICK_ENV, HTTP_PROXY: through, NO_PROXY: '127.0.0.1' },
    });
    expect(bypassed.report?.outcome).toBe('passed');
    expect(proxy.seen.forwarded).toBe(before);

    const viaConnect = await runSuite({
      env: { ...secure.env, ...QUICK_ENV, HTTPS_PROXY: through, CONFORMANCE_CA_FILE: ca.caFile },
    });
    expect(viaConnect.report?.outcome, said(viaConnect).slice(-600)).toBe('passed');
    expect(proxy.seen.tunnels).toBeGreaterThan(0);
    expect(leaksOf(viaConnect, [password])).toEqual([]);

    const wrongPassword = `wrongpw${Date.now().toString(36)}y`;
    const refused = await runSuite({
      env: { ...plain.env, ...QUICK_ENV, HTTP_PROXY: proxy.url.replace('//', `//user:${wrongPassword}@`) },
    });
    expect(refused.report?.outcome).toBe('aborted');
    expect(refused.report?.abortReason).toContain(
      `the proxy ${proxy.url} wants credentials (407 Proxy Authentication Required)`,
    );
    expect(leaksOf(refused, [wrongPassword])).toEqual([]);

    const gone = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await runSuite({ env: { ...plain.env, ...QUICK_ENV, HTTP_PROXY: gone } });
    expect(unreachable.report?.abortReason).toContain(
      `the proxy ${gone} cannot be reached (ECONNREFUSED). Check HTTPS_PROXY / HTTP_PROXY, or list the target in NO_PROXY`,
    );
  } finally {
    await Promise.all([proxy.close(), plain.close(), secure.close()]);
  }
});

/** A server that answers every connection with `answer` and hangs up. */
async function rawServer(answer: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('answers that are not HTTP are named at the preflight (not "dropped"): another protocol, oversized headers, https to a plain-http port', async () => {
  const ssh = await rawServer('SSH-2.0-OpenSSH_9.6\r\n');
  const huge = await rawServer(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: ${'a'.repeat(20_000)}\r\ncontent-length: 2\r\n\r\n{}`,
  );
  const plain = await startTarget();
  const env = { BOT_ID: 'bot-a', API_TOKEN: 'not-http-token-123', ...QUICK_ENV };
  try {
    const other = await runSuite({ env: { ...env, TARGET_URL: ssh.url } });
    expect(other.report?.abortReason).toMatch(
      /does not answer in HTTP the suite can read .*: the answer is not valid HTTP\/1\.1 \(HPE_INVALID_CONSTANT/,
    );
    const headers = await runSuite({ env: { ...env, TARGET_URL: huge.url } });
    expect(headers.report?.abortReason).toContain(
      "the answer's headers are larger than Node accepts (16 KiB; HPE_HEADER_OVERFLOW)",
    );
    const tlsToPlain = await runSuite({
      env: { ...plain.env, ...QUICK_ENV, TARGET_URL: plain.env.TARGET_URL!.replace('http:', 'https:') },
    });
    expect(tlsToPlain.report?.abortReason).toMatch(
      /does not answer in HTTP the suite can read .*: the server did not answer TLS/,
    );
    for (const run of [other, headers, tlsToPlain]) expect(said(run)).not.toMatch(/dropped|Is it running/);
  } finally {
    await Promise.all([ssh.close(), huge.close(), plain.close()]);
  }
});

test('against a target that closes its connection after every answer, a process keeps at most CLOSING_IN_FLIGHT requests in flight (each opens a connection); against one that keeps them, every request of a burst goes at once', async () => {
  for (const closes of [true, false]) {
    let now = 0;
    let most = 0;
    const server = http.createServer((req, res) => {
      most = Math.max(most, ++now);
      req.resume();
      setTimeout(() => {
        now--;
        res.writeHead(200, { 'content-type': 'application/json', ...(closes ? { connection: 'close' } : {}) });
        res.end('{"settings":{"application":{"media":{"providers":[]}}}}');
      }, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const api = new ProviderApi(
        `http://127.0.0.1:${port}`,
        { id: 'bot', token: 'token' },
        contractFor('default'),
        new Secrets(),
        5_000,
        [],
        'selftest',
      );
      // The first answer says how the target treats its connections.
      expect((await api.list()).closedAfter).toBe(closes);
      most = 0;
      const answers = await Promise.all(Array.from({ length: 16 }, () => api.list()));
      expect(answers.map((x) => x.received.status)).toEqual(Array(16).fill(200));
      expect(most, closes ? 'Connection: close' : 'kept-alive').toBe(closes ? CLOSING_IN_FLIGHT : 16);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }
});
