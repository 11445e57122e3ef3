// One HTTP exchange over node:http(s), with full control of headers and body (no Content-Type is
// added behind the suite's back), a per-request timeout and a cap on what an answer may hold;
// network failures are their own error. Redirects are not followed: the token never leaves for
// another origin.
import http from 'node:http';
import https from 'node:https';

export interface Sent { method: string; url: string; headers: Record<string, string>; body?: string }
export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body, when the body is JSON; `undefined` for an empty body. */
  json?: unknown;
  /** Why the body is not JSON, when it is not empty and not JSON. */
  notJson?: string;
}
export interface Exchange { sent: Sent; received: Received; ms: number }

export type NetworkFailure = 'refused' | 'dropped' | 'timeout' | 'unreachable' | 'oversized';

/** No answer of this API comes near this; past it the answer is cut off, never buffered whole. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
export class NetworkError extends Error {
  constructor(readonly kind: NetworkFailure, readonly sent: Sent, detail: string) {
    super(`network error (${kind}) on ${sent.method} ${sent.url}: ${detail}`);
  }
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

export async function exchange(sent: Sent, timeoutMs: number): Promise<Exchange> {
  try {
    return await attempt(sent, timeoutMs);
  } catch (e) {
    // A kept-alive socket the server had already closed is not the server dropping a request: retry once.
    if (e instanceof StaleSocket) return attempt(sent, timeoutMs);
    throw e;
  }
}

class StaleSocket extends Error {}

function attempt(sent: Sent, timeoutMs: number): Promise<Exchange> {
  const started = performance.now();
  const url = new URL(sent.url);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, {
      method: sent.method,
      headers: sent.headers,
      agent: agents[url.protocol as keyof typeof agents],
    });
    let settled = false;
    const fail = (kind: NetworkFailure, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new NetworkError(kind, sent, detail));
    };
    const timer = setTimeout(() => fail('timeout', `no complete answer within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      if (req.reusedSocket && e.code === 'ECONNRESET') {
        settled = true;
        clearTimeout(timer);
        reject(new StaleSocket());
        return;
      }
      const kind: NetworkFailure = e.code === 'ECONNREFUSED' ? 'refused'
        : e.code === 'ECONNRESET' || e.message === 'socket hang up' ? 'dropped'
          : e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' ? 'unreachable' : 'dropped';
      fail(kind, e.code ?? e.message);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) fail('oversized', `the answer's body passed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was cut off there (status ${res.statusCode})`);
        else chunks.push(c);
      });
      res.on('error', (e) => fail('dropped', e.message));
      res.on('aborted', () => fail('dropped', 'the answer was cut off'));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ sent, received: { status: res.statusCode ?? 0, headers: res.headers, text, ...parseJson(text) }, ms: performance.now() - started });
      });
    });
    req.end(sent.body);
  });
}

function parseJson(text: string): Pick<Received, 'json' | 'notJson'> {
  if (text.trim() === '') return {};
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    return { notJson: (e as Error).message };
  }
}
