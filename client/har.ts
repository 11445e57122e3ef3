// A failing check's exchanges as a HAR 1.2 file (reports/har/RULE.har), redacted like its transcript,
// so that a failure opens in a browser's network panel or an API client and can be sent again there.
// A request that got no answer is an entry too, as browsers write one: status 0, and what became of it
// in the entry's comment.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { isAnswered, type Recorded } from './http.ts';
import { packageInfo } from './package-info.ts';
import type { Secrets } from './redaction.ts';
import type { Settings } from '../settings/targets.ts';
import { headerShown } from './transcript.ts';

/**
 * How much of an answer's body the file keeps. A server whose DELETE empties nothing lists everything
 * every check wrote: hundreds of KB an answer, each redacted whole, cost a broken target's failing
 * check seconds and show nothing more than the first part does. Requests stay whole: they are replayed.
 */
export const ANSWER_LIMIT = 16 * 1024;

/** Headers and bodies as the transcript shows them: the configured tokens by variable, derived credentials by kind, other secrets masked. */
export function harOf(exchanges: readonly Recorded[], secrets: Secrets, settings: Settings): unknown {
  const headers = (h: Record<string, string | string[] | undefined>) =>
    Object.entries(h).flatMap(([name, v]) =>
      v === undefined ? [] : [v].flat().map((value) => ({ name, value: secrets.redact(value) })),
    );
  const entries = exchanges.map((x) => {
    const url = new URL(secrets.redact(x.sent.url));
    const requestMime = x.sent.headers['content-type'] ?? '';
    const sentHeaders = Object.entries(x.sent.headers).map(([name, value]) => ({
      name,
      value: headerShown(name, value, settings, secrets),
    }));
    return {
      startedDateTime: new Date(x.at ?? Date.now()).toISOString(),
      time: x.ms,
      ...(isAnswered(x) ? {} : { comment: x.unanswered }),
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
      response: isAnswered(x)
        ? {
            status: x.received.status,
            statusText: STATUS_CODES[x.received.status] ?? '',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: headers(x.received.headers),
            content: {
              size: Buffer.byteLength(x.received.text),
              mimeType: String(x.received.headers['content-type'] ?? ''),
              text: secrets.redactClipped(x.received.text, ANSWER_LIMIT),
              ...(x.received.text.length > ANSWER_LIMIT
                ? { comment: `cut at ${ANSWER_LIMIT} of its ${x.received.text.length} characters` }
                : {}),
            },
            redirectURL: '',
            headersSize: -1,
            bodySize: Buffer.byteLength(x.received.text),
          }
        : {
            status: 0,
            statusText: '',
            httpVersion: '',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
            comment: x.unanswered,
          },
      cache: {},
      timings: { send: 0, wait: x.ms, receive: 0 },
    };
  });
  return { log: { version: '1.2', creator: packageInfo(), entries } };
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
