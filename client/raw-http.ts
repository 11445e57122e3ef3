// HTTP/1.1 written by hand on sockets the suite opens itself: every byte of a request as a relation of
// relations/catalogue.ts shapes it (the case, order and whitespace of field lines, Content-Length or
// chunks cut anywhere, Expect: 100-continue), and connections a check opens, reuses and sees closed
// itself. Node's client decides for itself when a kept-alive connection is too old to reuse (it drops
// one whose server advertised `Keep-Alive: timeout=1`), lower-cases nothing but frames bodies its own
// way; a check about the wire cannot stand on it. Answers are read as RFC 9112 frames them.
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import {
  classify,
  MAX_ANSWER_BYTES,
  NetworkError,
  parseJson,
  type Exchange,
  type NetworkFailure,
  type Received,
  type Sent,
  type Transport,
} from './http.ts';
import { fieldValue, type Chunking, type WireRequest } from '../relations/wire.ts';

/**
 * How long a request with `Expect: 100-continue` waits before it sends its body unasked (RFC 9110
 * § 10.1.1 lets it): a server that answers 100 does so at once, and one that never does (a proxy
 * that neither forwards nor answers it) costs each such request this much.
 */
export const CONTINUE_WAIT_MS = 250;
/** Node's own limit on an answer's header section: past it the answer is not what this API sends. */
const MAX_HEAD_BYTES = 16 * 1024;

/** An error the reader met: the network's own, or an answer that is not HTTP. */
class WireError extends Error {
  constructor(
    readonly kind: NetworkFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes from a socket, read as lines and runs of bytes, each read waiting until there is enough. */
class Reader {
  #chunks: Buffer[] = [];
  #length = 0;
  /** Every byte ever received: a request that saw none of its answer can be told by it. */
  total = 0;
  #ended = false;
  #failed: WireError | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: net.Socket) {
    socket.on('data', (b: Buffer) => {
      this.#chunks.push(b);
      this.#length += b.length;
      this.total += b.length;
      this.#poke();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#poke();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#poke();
    });
  }

  fail(error: WireError): void {
    this.#failed ??= error;
    this.#poke();
  }

  /** The connection is gone: what was received is read, and then the reader meets its end. */
  end(): void {
    this.#ended = true;
    this.#poke();
  }

  /** The peer has closed its side. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes already received and not yet read. */
  get buffered(): number {
    return this.#length;
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves when more bytes arrive, the peer closes, or `ms` pass (then false). */
  more(ms = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => resolve(false), ms) : undefined;
      this.#wake = () => {
        clearTimeout(timer);
        if (this.#failed) reject(this.#failed);
        else resolve(true);
      };
    });
  }

  #flat(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  #take(n: number): Buffer {
    const all = this.#flat();
    const out = all.subarray(0, n);
    this.#chunks = n < all.length ? [all.subarray(n)] : [];
    this.#length -= n;
    return out;
  }

  /** One line without its end (CRLF, or a bare LF as RFC 9112 § 2.2 lets a recipient take), at most `limit` bytes. */
  async line(limit: number, what: string): Promise<string> {
    for (;;) {
      const at = this.#flat().indexOf(0x0a);
      if (at >= 0) {
        if (at > limit) throw new WireError('not-http', `${what} is longer than ${limit} bytes`);
        const line = this.#take(at + 1).toString('latin1');
        return line.replace(/\r?\n$/, '');
      }
      if (this.#length > limit) throw new WireError('not-http', `${what} is longer than ${limit} bytes`);
      if (this.#ended)
        throw new WireError('dropped', `the connection closed ${this.#length ? 'in the middle of' : 'before'} ${what}`);
      await this.more();
    }
  }

  async bytes(n: number, what: string): Promise<Buffer> {
    while (this.#length < n) {
      if (this.#ended)
        throw new WireError('dropped', `the connection closed after ${this.#length} of the ${n} bytes of ${what}`);
      await this.more();
    }
    return this.#take(n);
  }

  /** Everything until the peer closes, at most `limit` bytes. */
  async rest(limit: number): Promise<Buffer> {
    while (!this.#ended) {
      if (this.#length > limit) throw new WireError('oversized', oversized());
      await this.more();
    }
    return this.#take(this.#length);
  }
}

const oversized = () => `the answer's body passed ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was cut off there`;

/** One answer's head as read: its status, its fields (names lower-cased, repeated ones joined), and whether the connection stays open after it. */
interface Head {
  status: number;
  version: string;
  headers: Record<string, string>;
}

async function readHead(reader: Reader): Promise<Head> {
  const statusLine = await reader.line(MAX_HEAD_BYTES, 'the status line');
  const match = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match)
    throw new WireError(
      'not-http',
      `the answer is not HTTP/1.1: it begins ${JSON.stringify(statusLine.slice(0, 40))} (an answer that is not HTTP, or another protocol on the port)`,
    );
  const headers: Record<string, string> = {};
  let size = statusLine.length;
  for (;;) {
    const line = await reader.line(MAX_HEAD_BYTES, "the answer's header section");
    size += line.length + 2;
    if (size > MAX_HEAD_BYTES)
      throw new WireError('not-http', `the answer's headers are larger than ${MAX_HEAD_BYTES / 1024} KiB`);
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new WireError(
        'not-http',
        `the answer holds a field line without a name: ${JSON.stringify(line.slice(0, 40))}`,
      );
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(match[2]), version: match[1], headers };
}

/** The body of an answer, framed as RFC 9112 § 6.3 says; `closes`: it ran to the end of the connection. */
async function readBody(reader: Reader, method: string, head: Head): Promise<{ body: Buffer; closes: boolean }> {
  const { status, headers } = head;
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200))
    return { body: Buffer.alloc(0), closes: false };
  const codings = (headers['transfer-encoding'] ?? '').toLowerCase();
  if (codings) {
    if (!/(^|,)\s*chunked\s*$/.test(codings)) return { body: await reader.rest(MAX_ANSWER_BYTES), closes: true };
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const sizeLine = await reader.line(1024, 'a chunk size line');
      const n = Number.parseInt(sizeLine.split(';')[0].trim(), 16);
      if (!Number.isFinite(n) || !/^[0-9a-fA-F]+$/.test(sizeLine.split(';')[0].trim()))
        throw new WireError(
          'not-http',
          `the answer's chunk size ${JSON.stringify(sizeLine.slice(0, 20))} is not hexadecimal`,
        );
      if (n === 0) break;
      size += n;
      if (size > MAX_ANSWER_BYTES) throw new WireError('oversized', oversized());
      parts.push(await reader.bytes(n, 'a chunk'));
      await reader.line(2, 'the end of a chunk');
    }
    while ((await reader.line(MAX_HEAD_BYTES, "the answer's trailer section")) !== '');
    return { body: Buffer.concat(parts), closes: false };
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length.split(',')[0].trim());
    if (!/^\d+$/.test(length.split(',')[0].trim()))
      throw new WireError('not-http', `the answer's Content-Length ${JSON.stringify(length)} is not a number`);
    if (n > MAX_ANSWER_BYTES) throw new WireError('oversized', oversized());
    return { body: await reader.bytes(n, "the answer's body"), closes: false };
  }
  return { body: await reader.rest(MAX_ANSWER_BYTES), closes: true };
}

/**
 * The body's text, its content codings undone (RFC 9110 § 8.4): a request that says `Accept-Encoding`
 * must read what it asked for. A body that does not decode is shown as such, and is no JSON.
 */
function decoded(body: Buffer, codings: string | undefined): string {
  let bytes = body;
  for (const coding of (codings ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean)
    .reverse()) {
    const options = { maxOutputLength: MAX_ANSWER_BYTES };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') bytes = zlib.gunzipSync(bytes, options);
      else if (coding === 'deflate') bytes = zlib.inflateSync(bytes, options);
      else if (coding === 'br') bytes = zlib.brotliDecompressSync(bytes, options);
      else if (coding !== 'identity')
        return `(a body in the content coding ${coding}, which the suite did not ask for)`;
    } catch (e) {
      return `(a body that is not valid ${coding}: ${(e as Error).message})`;
    }
  }
  return bytes.toString('utf8');
}

/** The answer as the suite's other client reports it, and what it did to the connection. */
export interface WireAnswer {
  received: Received;
  /** The server answered 100 Continue before the final answer. */
  continued: boolean;
  /** The connection cannot carry another request: the server said `Connection: close`, or closed it. */
  closes: boolean;
}

/** Where a connection goes: the target itself, or a proxy that forwards to it. */
interface Route {
  host: string;
  port: number;
  /** The request-target in absolute form (a plain-http request through a proxy). */
  absolute: boolean;
  proxy?: URL;
}

/** A connection of the suite's own to a target: opened, reused and closed as the check says, never by a heuristic. */
export class WireConnection {
  /** Answers read on it so far: a request sent when this is above 0 goes on a reused connection. */
  answered = 0;
  #closes = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly reader: Reader,
    private readonly route: Route,
  ) {}

  /** Opens a connection to `url`'s origin: TLS for https (with the transport's trust), through the transport's proxy if it names one. */
  static async open(url: URL, transport: Transport, timeoutMs: number): Promise<WireConnection> {
    const proxy = transport.proxyOf(url);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const proxyUrl = proxy ? new URL(proxy) : undefined;
    const route: Route = { host, port, absolute: Boolean(proxyUrl) && url.protocol === 'http:', proxy: proxyUrl };
    const to = proxyUrl
      ? {
          host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
          port: Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80),
        }
      : { host, port };
    let socket = await connected(net.connect(to), timeoutMs, proxy);
    if (url.protocol === 'https:') {
      if (proxyUrl) await tunnel(socket, host, port, proxyUrl, timeoutMs);
      socket = await connected(
        tls.connect({
          socket,
          ...(net.isIP(host) ? {} : { servername: host }),
          ...transport.trust,
          checkServerIdentity: (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(host, cert),
        }),
        timeoutMs,
        undefined,
        'secureConnect',
      );
    }
    socket.setNoDelay(true);
    const connection = new WireConnection(socket, new Reader(socket), route);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // A reset or a broken pipe ends the connection: what the server sent before it (an early 401) is still read.
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return connection.reader.end();
      const [kind, detail] = classify(e, undefined);
      connection.reader.fail(new WireError(kind, detail));
    });
    return connection;
  }

  /** Whether the connection can carry another request: it is open and nobody said it closes. */
  get open(): boolean {
    return !this.#closes && !this.reader.ended && !this.socket.destroyed;
  }

  close(): void {
    this.#closes = true;
    this.socket.destroy();
  }

  /** Writes one request and reads its answer; the connection is left open for the next unless the answer closes it. */
  async send(request: WireRequest, timeoutMs: number): Promise<WireAnswer> {
    const url = new URL(request.url);
    const absolute = this.route.absolute || request.absolute;
    const target =
      request.target ?? (absolute ? `${url.origin}${url.pathname}${url.search}` : `${url.pathname}${url.search}`);
    const head = [
      `${request.method} ${target} HTTP/${request.version ?? '1.1'}`,
      ...request.fields.map(([n, v]) => `${n}:${v}`),
    ];
    if (this.route.proxy && this.route.absolute) head.push(...proxyAuthorization(this.route.proxy));
    const timer = setTimeout(
      () => this.reader.fail(new WireError('timeout', `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // What the answer had sent when the request began, and after each interim answer: a final answer of which
    // no byte came, on a connection that had served before, is a connection the server closed, not a drop.
    // After a 100 too: a server closing an idle kept connection as a request arrives may have sent 100 Continue
    // first (the closes-idle-connections oddball was failed ROBUST-NO-DROP when a 100 counted as an answer).
    let before = this.reader.total;
    this.#writeFailed = undefined;
    this.#bodyCut = false;
    try {
      const headBytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1');
      const body = request.body ? framed(request.body, request.chunked) : [];
      // Head and body in one write, as clients send them (chunk boundaries are the framing's, not the packets'),
      // unless the body waits for 100 Continue or the chunks go a pause apart.
      const pauseMs = request.chunked?.pauseMs;
      const together = !request.expectContinue && !pauseMs;
      await this.#write(together ? Buffer.concat([headBytes, ...body]) : headBytes);
      let continued = false;
      if (request.body && request.expectContinue) {
        // RFC 9110 § 10.1.1: a 100 asks for the body, a final answer makes it moot, and a client need not wait forever.
        const arrived = this.reader.buffered > 0 || (await this.reader.more(CONTINUE_WAIT_MS));
        if (arrived) {
          const first = await readHead(this.reader);
          if (first.status !== 100) return await this.#finish(request, first, false, true);
          continued = true;
          before = this.reader.total;
        }
      }
      if (!together) await this.#writeParts(body, pauseMs);
      for (;;) {
        const answer = await readHead(this.reader);
        if (answer.status >= 100 && answer.status < 200) {
          continued ||= answer.status === 100;
          before = this.reader.total;
          continue;
        }
        return await this.#finish(request, answer, continued, Boolean(this.#writeFailed) || this.#bodyCut);
      }
    } catch (e) {
      this.close();
      // Closed before a byte of the answer came, on a connection that had served before: the server's idle timeout, not the request's doing.
      if (e instanceof WireError && e.kind === 'dropped' && this.answered > 0 && this.reader.total === before)
        throw new StaleConnection();
      // No answer, and the request could not even be written whole: that says most.
      if (e instanceof WireError && e.kind === 'dropped' && this.#writeFailed) throw this.#writeFailed;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async #finish(request: WireRequest, head: Head, continued: boolean, bodyUnsent: boolean): Promise<WireAnswer> {
    const { body, closes } = await readBody(this.reader, request.method, head);
    const connection = (head.headers.connection ?? '').toLowerCase();
    const persistent = head.version === '1.1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    // A body the server never asked for was not sent: what follows on the connection would be read as it.
    this.#closes = closes || !persistent || bodyUnsent;
    if (this.#closes) this.socket.end();
    this.answered++;
    const text = decoded(body, head.headers['content-encoding']);
    return {
      received: { status: head.status, headers: head.headers, text, ...parseJson(text) },
      continued,
      closes: this.#closes,
    };
  }

  /** Why the request could not be written whole: the server may have answered early and closed (a 401 to a body it never read). */
  #writeFailed: WireError | undefined;
  /** The body was left unfinished because the server had answered: the connection can carry nothing more. */
  #bodyCut = false;

  /** Writes what it is given unless a write has failed; a failure is kept, and the answer is read all the same. */
  #write(bytes: Buffer): Promise<void> {
    if (this.#writeFailed) return Promise.resolve();
    return new Promise((resolve) =>
      this.socket.write(bytes, (e) => {
        if (e) this.#writeFailed = new WireError('dropped', `writing the request: ${e.message}`);
        resolve();
      }),
    );
  }

  /**
   * Writes the pieces, a pause apart when the request asks for one, and stops when the server has
   * answered already (a 401 before the body, say: RFC 9112 § 9.6 asks a client to cease transmitting).
   */
  async #writeParts(pieces: Buffer[], pauseMs: number | undefined): Promise<void> {
    for (const [i, piece] of pieces.entries()) {
      if (i > 0 && pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      if (i > 0 && (this.reader.buffered > 0 || this.reader.ended)) {
        this.#bodyCut = true;
        return;
      }
      await this.#write(piece);
    }
  }
}

/** A body as it goes on the wire: as is, or framed in the chunks the request cuts it into, with the last chunk and trailer. */
function framed(body: Buffer, chunking: Chunking | undefined): Buffer[] {
  if (!chunking) return [body];
  const bounds = [0, ...chunking.cuts.filter((c) => c > 0 && c < body.length), body.length];
  const chunks: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const piece = body.subarray(bounds[i], bounds[i + 1]);
    if (piece.length === 0) continue;
    const size = piece.length.toString(16);
    chunks.push(
      Buffer.concat([
        Buffer.from(`${chunking.upperHex ? size.toUpperCase() : size}${chunking.extension ?? ''}\r\n`, 'latin1'),
        piece,
        Buffer.from('\r\n'),
      ]),
    );
  }
  const trailer = (chunking.trailer ?? []).map(([n, v]) => `${n}: ${v}\r\n`).join('');
  chunks.push(Buffer.from(`0\r\n${trailer}\r\n`, 'latin1'));
  return chunks;
}

/** A kept connection the server had closed before it read the request: the request may go again on a new one (RFC 9112 § 9.3.1). */
class StaleConnection extends Error {
  constructor() {
    super('the kept connection had been closed by the server');
  }
}

function proxyAuthorization(proxy: URL): string[] {
  if (!proxy.username && !proxy.password) return [];
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return [`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`];
}

/** Resolves once the socket is connected (or its TLS session set up); rejects, classified, when it cannot be. */
function connected<S extends net.Socket>(
  socket: S,
  timeoutMs: number,
  proxy: string | undefined,
  event = 'connect',
): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new WireError('timeout', `no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const [kind, detail] = classify(e, proxy);
      reject(new WireError(kind, detail));
    });
  });
}

/** Asks an HTTP proxy for a tunnel to host:port (CONNECT), on the open socket. */
async function tunnel(socket: net.Socket, host: string, port: number, proxy: URL, timeoutMs: number): Promise<void> {
  const authority = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const reader = new Reader(socket);
  socket.write(
    [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...proxyAuthorization(proxy), '', ''].join('\r\n'),
  );
  const timer = setTimeout(
    () => reader.fail(new WireError('proxy', `the proxy did not answer CONNECT within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const head = await readHead(reader);
    if (head.status !== 200)
      throw new WireError(
        'proxy',
        `the proxy ${proxy.host} answered CONNECT with ${head.status}${head.status === 407 ? ' (it wants credentials)' : ''}`,
      );
  } finally {
    clearTimeout(timer);
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('close');
  }
}

/** The connections of one client: a request asks for a new one, or for one that has already served. */
export class WirePool {
  readonly #idle: WireConnection[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly timeoutMs: number,
  ) {}

  /** A connection that has served a request and is still open, if there is one; else a new one. */
  async kept(url: URL): Promise<WireConnection> {
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) if (c.open) return c;
    return WireConnection.open(url, this.transport, this.timeoutMs);
  }

  /** Gives a connection back for the next request, while it stays open. */
  release(connection: WireConnection): void {
    if (connection.open) this.#idle.push(connection);
  }

  closeAll(): void {
    for (const c of this.#idle.splice(0)) c.close();
  }
}

/**
 * Sends a request as written, on a new connection (`fresh`) or on one that has served before, and
 * reports it as the suite's other client does. A kept connection the server had closed unseen is
 * replaced once by a new one, as the other client does (RFC 9112 § 9.3.1).
 */
export async function wireExchange(
  request: WireRequest,
  connection: 'fresh' | 'kept',
  pool: WirePool,
  transport: Transport,
  timeoutMs: number,
): Promise<Exchange> {
  const sent = sentOf(request);
  const url = new URL(request.url);
  const started = performance.now();
  const at = Date.now();
  const attempt = async (c: WireConnection) => {
    const reused = c.answered > 0;
    try {
      const answer = await c.send(request, timeoutMs);
      return {
        sent,
        received: answer.received,
        ms: performance.now() - started,
        reused,
        at,
        closedAfter: answer.closes,
      };
    } finally {
      if (connection === 'kept') pool.release(c);
      else c.close();
    }
  };
  try {
    try {
      return await attempt(
        connection === 'fresh' ? await WireConnection.open(url, transport, timeoutMs) : await pool.kept(url),
      );
    } catch (e) {
      if (e instanceof StaleConnection) return await attempt(await WireConnection.open(url, transport, timeoutMs));
      throw e;
    }
  } catch (e) {
    if (e instanceof WireError) throw new NetworkError(e.kind, sent, e.message);
    if (e instanceof StaleConnection) throw new NetworkError('dropped', sent, e.message);
    throw e;
  }
}

/**
 * The request as reports show it: its fields as a recipient reads them (names as written, values
 * without the whitespace around them, which `form` tells), but Host and Content-Length, which curl
 * writes itself.
 */
export function sentOf(request: WireRequest): Sent {
  const headers: Record<string, string> = {};
  for (const [name, written] of request.fields) {
    if (/^(host|content-length)$/i.test(name)) continue;
    const value = fieldValue(written);
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return {
    method: request.method,
    url: request.url,
    headers,
    ...(request.body ? { body: request.body.toString('utf8') } : {}),
    ...(request.form ? { form: request.form } : {}),
    ...(request.absolute ? { absolute: true } : {}),
    ...(request.version === '1.0' ? { version: '1.0' as const } : {}),
  };
}
