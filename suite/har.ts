// A failing check's exchanges as a HAR 1.2 file (reports/har/RULE.har), redacted like its transcript,
// so that a failure opens in a browser's network panel or an API client and can be sent again there.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exchange } from './http.ts';
import type { Secrets } from './redaction.ts';
import type { Settings } from './settings.ts';
import { headerShown } from './transcript.ts';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** This package, as the HAR's creator (package.json sits one folder up in the repository, two in dist/). */
function creator(): { name: string; version: string } {
  const file = ['../package.json', '../../package.json']
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find(existsSync);
  const { name, version } = JSON.parse(readFileSync(file!, 'utf8')) as { name: string; version: string };
  return { name, version };
}

/** Headers and bodies as the transcript shows them: the configured tokens by variable, derived credentials by kind, other secrets masked. */
export function harOf(exchanges: readonly Exchange[], secrets: Secrets, settings: Settings): unknown {
  const headers = (h: Record<string, string | string[] | undefined>) =>
    Object.entries(h).flatMap(([name, v]) =>
      v === undefined ? [] : [v].flat().map((value) => ({ name, value: secrets.redact(value) })),
    );
  const entries = exchanges.map((x) => {
    const url = new URL(secrets.redact(x.sent.url));
    const mimeType = String(x.received.headers['content-type'] ?? '');
    const requestMime = x.sent.headers['content-type'] ?? '';
    const sentHeaders = Object.entries(x.sent.headers).map(([name, value]) => ({
      name,
      value: headerShown(name, value, settings, secrets),
    }));
    return {
      startedDateTime: new Date(x.at ?? Date.now()).toISOString(),
      time: x.ms,
      request: {
        method: x.sent.method,
        url: url.href,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: sentHeaders,
        queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
        ...(x.sent.body === undefined
          ? {}
          : { postData: { mimeType: requestMime, text: secrets.redact(x.sent.body) } }),
        headersSize: -1,
        bodySize: x.sent.body === undefined ? 0 : Buffer.byteLength(x.sent.body),
      },
      response: {
        status: x.received.status,
        statusText: STATUS_TEXT[x.received.status] ?? '',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: headers(x.received.headers),
        content: { size: Buffer.byteLength(x.received.text), mimeType, text: secrets.redact(x.received.text) },
        redirectURL: '',
        headersSize: -1,
        bodySize: Buffer.byteLength(x.received.text),
      },
      cache: {},
      timings: { send: 0, wait: x.ms, receive: 0 },
    };
  });
  return { log: { version: '1.2', creator: creator(), entries } };
}

/** Writes the HAR of a rule's failing check: RULE.har, or RULE-2.har and on when another check of the rule failed too. */
export function writeHar(dir: string, ruleId: string, har: unknown): string {
  mkdirSync(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const file = join(dir, `${ruleId}${n > 1 ? `-${n}` : ''}.har`);
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644); // created exclusively: parallel workers never write one file
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    writeSync(fd, JSON.stringify(har, null, 1));
    closeSync(fd);
    return file;
  }
}
