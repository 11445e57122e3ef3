// One HTTP exchange over node:http(s), with full control of headers and body (no Content-Type is
// added behind the suite's back), a per-request timeout and a cap on what an answer may hold;
// network failures are their own error, named for what they are (a certificate not trusted, an
// answer that is not HTTP, a proxy that refused). Redirects are not followed: the token never
// leaves for another origin.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { closesAfter } from './connection-limit.ts';

/**
 * The most requests a check sends at once, whatever sends them (a window of forms, waves of bodies, a
 * step that grows a list): few enough not to flood a staging server. A worker runs one check at a
 * time, and its kept-alive pool has as many connections: a request beyond them waits for one.
 */
export const IN_FLIGHT = 32;

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** How this request differs from the suite's plain form on the wire (a relation of relations/catalogue.ts), when it does. */
  form?: string;
  /** The request-target was written in absolute form. */
  absolute?: true;
  /** The request line said HTTP/1.0. */
  version?: '1.0';
}
export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body, when the body is JSON; `undefined` for an empty body. */
  json?: unknown;
  /** Why the body is not JSON, when it is not empty and not JSON. */
  notJson?: string;
}
/** `reused`: the request went on a kept-alive connection an earlier request had opened. */
export interface Exchange {
  sent: Sent;
  received: Received;
  ms: number;
  reused?: boolean;
  /** When it was sent (epoch milliseconds). */
  at?: number;
  /** Its place among the process's requests in the order they were sent: ties of `at` told apart. */
  issued?: number;
  /** The connection could carry no further request after this answer. */
  closedAfter?: boolean;
}

/**
 * A request that got no answer: none within the timeout, the connection dropped, or no connection at
 * all. Recorded beside the answered exchanges so that reports show it (and a curl line that sends it
 * again); it has no `received`, so that nothing reads it as an answer.
 */
export interface Unanswered {
  sent: Sent;
  /** What became of it, as reports mark it: `no answer within 5000 ms`, `connection dropped before an answer (…)`. */
  unanswered: string;
  ms: number;
  /** When it was sent (epoch milliseconds). */
  at: number;
  /** Its place among the process's requests in the order they were sent. */
  issued: number;
}

/** What a check's log holds, in the order each ended: its exchanges, and its requests that got no answer. */
export type Recorded = Exchange | Unanswered;

export const isAnswered = (r: Recorded): r is Exchange => 'received' in r;

/** A success of any kind: what a request that was taken gets. */
export const is2xx = (status: number) => status >= 200 && status < 300;

/** The mark of a request a network error ended, in the words of the failure (N the request's timeout). */
export function unansweredMark(e: NetworkError, timeoutMs: number): string {
  if (e.kind === 'timeout') return `no answer within ${timeoutMs} ms`;
  if (e.kind === 'dropped') return `connection dropped before an answer (${e.detail})`;
  if (e.kind === 'oversized') return `answer cut off: ${e.detail}`;
  return `no answer: ${e.detail}`;
}

export type NetworkFailure =
  | 'refused'
  | 'dropped'
  | 'timeout'
  | 'unreachable'
  | 'host-not-found'
  | 'oversized'
  | 'certificate'
  | 'client-certificate'
  | 'not-http'
  | 'proxy';

/** No answer of this API comes near this; past it the answer is cut off, never buffered whole. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
export class NetworkError extends Error {
  constructor(
    readonly kind: NetworkFailure,
    readonly sent: Sent,
    readonly detail: string,
    /** The input the request carried, when it was one of many a check sent at once. */
    readonly what?: string,
  ) {
    super(`${what ? `${what}: ` : ''}network error (${kind}) on ${sent.method} ${sent.url}: ${detail}`);
  }

  /** The same error, naming the input whose request it ended: the URL alone does not tell bodies apart. */
  of(what: string): NetworkError {
    return new NetworkError(this.kind, this.sent, this.detail, what);
  }
}

/** How requests leave: which certificates are trusted, whether they are checked at all, and through which proxy. */
export interface TransportOptions {
  /** PEM certificates trusted besides Node's own (a private CA). */
  ca?: string;
  /** Certificates are not checked at all (an explicit choice, printed in the report). */
  insecure?: boolean;
  /** The proxy a URL goes through (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), if any. */
  proxyFor?: (url: string) => string | undefined;
  /** How requests share connections: a pool of kept-alive ones (the default), or a `fresh` connection for each request. */
  connections?: 'pool' | 'fresh';
  /** The client certificate every TLS connection offers (mutual TLS): PEM cert and key, or PKCS#12, and their passphrase. */
  client?: Pick<tls.SecureContextOptions, 'cert' | 'key' | 'pfx' | 'passphrase'>;
  /** Headers every request carries besides the suite's own (an API gateway's key). */
  headers?: Readonly<Record<string, string>>;
}

export class Transport {
  readonly #agents = new Map<string, http.Agent>();
  readonly #proxies = new Map<string, string | undefined>();
  #fresh: Transport | undefined;
  /**
   * The certificates an https target's must chain to, and the client certificate offered to it. Given
   * with each request as well as to the agent: through a proxy the agent's own options are for the
   * proxy, the request's for the target.
   */
  readonly trust: tls.ConnectionOptions;

  constructor(readonly options: TransportOptions = {}) {
    this.trust = {
      ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
      ...options.client,
      rejectUnauthorized: !options.insecure,
    };
  }

  /** The same trust and proxy, a new connection for every request. */
  fresh(): Transport {
    this.#fresh ??=
      this.options.connections === 'fresh' ? this : new Transport({ ...this.options, connections: 'fresh' });
    return this.#fresh;
  }

  /** The proxy this URL goes through, if any; decided once an origin, since every request asks (proxy-from-env reads the environment each time). */
  proxyOf(url: URL): string | undefined {
    if (!this.#proxies.has(url.origin)) this.#proxies.set(url.origin, this.options.proxyFor?.(url.href) || undefined);
    return this.#proxies.get(url.origin);
  }

  /** One kept-alive agent per scheme and proxy, made when first needed. */
  agentFor(url: URL): http.Agent {
    const proxy = this.proxyOf(url);
    const key = `${url.protocol} ${proxy ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const { connections = 'pool' } = this.options;
      // A fresh connection for each request: without a cap, since an agent hands a capped one's waiting requests the sockets that free up.
      const pool = connections === 'fresh' ? { keepAlive: false } : { keepAlive: true, maxSockets: IN_FLIGHT };
      agent =
        url.protocol === 'https:'
          ? proxy
            ? new HttpsProxyAgent(proxy, pool)
            : new https.Agent({ ...pool, ...this.trust })
          : proxy
            ? new HttpProxyAgent(proxy, pool)
            : new http.Agent(pool);
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

/** Straight out, Node's own trust: the transport of the self-tests' and probes' own requests. */
export const DIRECT = new Transport();

export async function exchange(sent: Sent, timeoutMs: number, transport: Transport = DIRECT): Promise<Exchange> {
  try {
    return await attempt(sent, timeoutMs, transport);
  } catch (e) {
    // A kept-alive connection the server had already closed is not the server dropping a request: the
    // request goes again, once, on a new connection (RFC 9112 § 9.3.1). Not on another one of the pool:
    // connections that went idle together are closed together by the server's idle timeout, and a
    // second stale one would fail a conforming server's check.
    if (e instanceof StaleSocket) return attempt(sent, timeoutMs, transport.fresh());
    throw e;
  }
}

/**
 * The connections that have carried an answer. Node marks a request `reusedSocket` when it takes an
 * idle kept-alive connection, but not when it waited for one (more requests at once than the pool's
 * connections) and is handed a connection another request just freed: it is reused all the same.
 */
const served = new WeakSet<object>();
const reused = (req: http.ClientRequest) => req.reusedSocket || (req.socket !== null && served.has(req.socket));

class StaleSocket extends Error {
  constructor() {
    super('the kept-alive connection had been closed by the server');
  }
}

function attempt(sent: Sent, timeoutMs: number, transport: Transport): Promise<Exchange> {
  const started = performance.now();
  const at = Date.now();
  const url = new URL(sent.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // A body is framed by its length, whatever the method: Node sends a GET's or a DELETE's body unframed otherwise.
    const framing = sent.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(sent.body)) };
    const req = client.request(url, {
      method: sent.method,
      headers: { ...framing, ...sent.headers },
      agent: transport.agentFor(url),
      // The certificate names the URL's host; through a CONNECT tunnel the agent would check 'localhost' for an IP.
      ...(url.protocol === 'https:'
        ? {
            ...transport.trust,
            checkServerIdentity: (_: string, cert: tls.PeerCertificate) =>
              tls.checkServerIdentity(url.hostname.replace(/^\[|\]$/g, ''), cert),
          }
        : {}),
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
      // Closed before the request was taken: reset as it arrived, or as its body was being written.
      if (reused(req) && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
        settled = true;
        clearTimeout(timer);
        reject(new StaleSocket());
        return;
      }
      const [kind, detail] = classify(e, transport.proxyOf(url));
      fail(kind, detail);
    });
    req.on('response', (res) => {
      // A request refused for its credentials may have left its body unread on the connection, where a
      // server that does not discard it reads it as the next request: no other request, of this check or
      // the next, goes on that connection. Reuse after such a refusal is AUTH-PER-REQUEST's and
      // HTTP-EQUIVALENT's subject, on connections of their own (client/raw-http.ts).
      if (sent.body !== undefined && res.statusCode === 401) req.shouldKeepAlive = false;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES)
          fail(
            'oversized',
            `the answer's body passed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was cut off there (status ${res.statusCode})`,
          );
        else chunks.push(c);
      });
      res.on('error', (e) => fail('dropped', e.message));
      res.on('aborted', () => fail('dropped', 'the answer was cut off'));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const received = { status: res.statusCode ?? 0, headers: res.headers, text, ...parseJson(text) };
        const again = reused(req);
        if (req.socket) served.add(req.socket);
        const closedAfter = closesAfter(res.httpVersion, res.headers.connection);
        resolve({ sent, received, ms: performance.now() - started, reused: again, at, closedAfter });
      });
    });
    req.end(sent.body);
  });
}

/** What went wrong, in the words a user can act on. */
export function classify(
  e: NodeJS.ErrnoException & { reason?: string; hostname?: string },
  proxy: string | undefined,
): [NetworkFailure, string] {
  const code = e.code ?? '';
  // Before the server-certificate test below: OpenSSL's words for these alerts say 'certificate' too.
  if (/ALERT_CERTIFICATE_REQUIRED/.test(code) || /alert certificate required/i.test(e.message))
    return [
      'client-certificate',
      `the server wants a client certificate (mutual TLS) and the suite offered none (${code})`,
    ];
  if (CLIENT_REFUSED.test(code))
    return ['client-certificate', `the server refused the client certificate the suite offered (${code})`];
  if (CERTIFICATE_CODES.has(code) || /certificate|self.signed/i.test(e.message)) {
    return ['certificate', `the server's TLS certificate is not trusted (${code || 'TLS'}: ${e.message})`];
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(e.message)) {
    return ['not-http', `the server did not answer TLS (${code || 'EPROTO'}): is it plain http?`];
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO')
    return ['certificate', `the TLS handshake failed (${code}: ${e.message})`];
  if (code === 'HPE_HEADER_OVERFLOW')
    return [
      'not-http',
      `the answer's headers are larger than Node accepts (${http.maxHeaderSize / 1024} KiB; ${code})`,
    ];
  if (code.startsWith('HPE_'))
    return ['not-http', `the answer is not valid HTTP/1.1 (${code}: ${e.reason ?? e.message})`];
  // Through a proxy the connection is to the proxy: failing to open it is the proxy's (a reset later may be the target's).
  if (proxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')) {
    return ['proxy', `the proxy ${withoutCredentials(proxy)} cannot be reached (${code})`];
  }
  if (code === 'ECONNREFUSED') return ['refused', code];
  // The name did not resolve: no route will help, the host is wrong (EAI_AGAIN: the lookup itself failed).
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return ['host-not-found', `host not found: ${e.hostname ?? 'the host'} does not resolve (${code})`];
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return ['unreachable', code];
  return ['dropped', code || e.message];
}

/** TLS alerts a server sends about the client certificate it was offered (TLS 1.2 and 1.3 alike). */
const CLIENT_REFUSED =
  /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)/;

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

/** A proxy URL fit to print: its user and password (a secret) left out. */
export function withoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy);
    return url.username || url.password ? `${url.protocol}//${url.host}` : proxy.replace(/\/$/, '');
  } catch {
    return '(the proxy setting, which is not a URL)';
  }
}

export function parseJson(text: string): Pick<Received, 'json' | 'notJson'> {
  if (text.trim() === '') return {};
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    return { notJson: (e as Error).message };
  }
}
