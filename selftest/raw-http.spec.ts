// The hand-written HTTP/1.1 of client/raw-http.ts, against servers on loopback that record every byte
// and answer as scripted: what a relation says goes on the wire is what goes on the wire, answers are
// read as RFC 9112 frames them, and a connection is reused, replaced or reported closed as it really was.
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { equivalencesFor, relationById, type Equivalence } from '../relations/catalogue.ts';
import { plainWire, type WireRequest } from '../relations/wire.ts';
import { DIRECT, NetworkError } from '../client/http.ts';
import { CONTINUE_WAIT_MS, WirePool, wireExchange } from '../client/raw-http.ts';

interface Seen {
  head: string;
  body: Buffer;
  /** The body's bytes as they arrived, one entry a read of the socket. */
  reads: Buffer[];
  connection: number;
}

/**
 * A server that reads each request as it was written (head, then a body framed by Content-Length or
 * chunks) and answers it with `answer`'s bytes; `early` answers right after the head.
 */
async function recorder(
  answer: (seen: Seen, socket: net.Socket) => string | Buffer | undefined,
  early?: (head: string) => string | undefined,
) {
  const seen: Seen[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    const connection = ++connections;
    let buffer = Buffer.alloc(0);
    let current: Seen | undefined;
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        if (!current) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          current = { head: buffer.subarray(0, end).toString('latin1'), body: Buffer.alloc(0), reads: [], connection };
          buffer = buffer.subarray(end + 4);
          const reply = early?.(current.head);
          if (reply?.startsWith('HTTP/1.1 100')) socket.write(reply);
          else if (reply !== undefined) {
            seen.push(current);
            current = undefined;
            socket.write(reply);
            continue;
          }
        }
        const length = /content-length: *(\d+)/i.exec(current.head);
        const chunked = /transfer-encoding: *chunked/i.test(current.head);
        if (buffer.length) current.reads.push(buffer);
        if (chunked) {
          const end = buffer.indexOf('\r\n0\r\n');
          const last = buffer.indexOf('\r\n\r\n', end + 3);
          if (end < 0 && !buffer.subarray(0, 3).equals(Buffer.from('0\r\n'))) return;
          if (last < 0) return;
          current.body = buffer.subarray(0, last + 4);
          buffer = buffer.subarray(last + 4);
        } else {
          const n = length ? Number(length[1]) : 0;
          if (buffer.length < n) return;
          current.body = buffer.subarray(0, n);
          buffer = buffer.subarray(n);
        }
        const done = current;
        current = undefined;
        seen.push(done);
        const reply = answer(done, socket);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/whatsapp/v1/bot-a/provision/provider`;
  return {
    url,
    seen,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';
const json = (text: string, extra = '') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`;

const plain = (url: string, body?: string): WireRequest =>
  plainWire({
    method: body === undefined ? 'GET' : 'POST',
    url,
    headers: {
      accept: 'application/json',
      authorization: 'Bearer tok',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
const form = (id: string) => relationById(id) as Equivalence;
const send = (w: WireRequest, pool = new WirePool(DIRECT, 3000), connection: 'fresh' | 'kept' = 'fresh') =>
  wireExchange(w, connection, pool, DIRECT, 3000);

test('a relation goes on the wire byte for byte: field names, order and whitespace as the relation writes them, Host included', async () => {
  const server = await recorder(() => OK);
  try {
    await send(form('names-upper').apply(plain(server.url)));
    await send(form('order-reversed').apply(plain(server.url)));
    await send(form('ows-tab').apply(plain(server.url)));
    await send(form('version-1.0').apply(form('target-absolute').apply(plain(server.url))));
    const [upper, reversed, tab, old] = server.seen.map((s) => s.head.split('\r\n'));
    expect(upper).toEqual([
      'GET /whatsapp/v1/bot-a/provision/provider HTTP/1.1',
      `HOST: ${new URL(server.url).host}`,
      'ACCEPT: application/json',
      'AUTHORIZATION: Bearer tok',
    ]);
    expect(reversed.slice(1)).toEqual([
      'authorization: Bearer tok',
      'accept: application/json',
      `Host: ${new URL(server.url).host}`,
    ]);
    expect(tab[2]).toBe('accept:\tapplication/json');
    expect(old[0]).toBe(`GET ${server.url} HTTP/1.0`);
  } finally {
    await server.close();
  }
});

test('a chunked body is cut exactly where the relation says (inside a UTF-8 character too), with its extension, trailer and pauses', async () => {
  const server = await recorder(() => OK);
  try {
    const body = '{"name":"é中","type":"www"}';
    const cut = form('chunked-in-character').apply(plain(server.url, body));
    const at = cut.chunked!.cuts[0];
    // The first chunk ends inside a character: alone, its last bytes are no character at all.
    expect(Buffer.from(body).subarray(0, at).toString('utf8').endsWith('\ufffd')).toBe(true);
    await send(cut);
    await send(form('chunked-trailer').apply(plain(server.url, body)));
    await send(form('chunked-paused').apply(plain(server.url, body)));
    const [first, trailer, paused] = server.seen;
    const bytes = Buffer.from(body);
    expect(first.head).toMatch(/transfer-encoding: chunked/i);
    expect(first.head).not.toMatch(/content-length/i);
    expect(first.body.toString('latin1')).toBe(
      `${at.toString(16)}\r\n${bytes.subarray(0, at).toString('latin1')}\r\n${(bytes.length - at).toString(16)}\r\n${bytes.subarray(at).toString('latin1')}\r\n0\r\n\r\n`,
    );
    expect(trailer.body.toString('latin1')).toMatch(/^1A\r\n/);
    expect(trailer.body.toString('latin1')).toMatch(/\r\n0\r\nx-checksum: none\r\n\r\n$/);
    // 10 ms apart, each chunk reaches the server in a read of its own.
    expect(paused.reads.length).toBeGreaterThanOrEqual(3);
  } finally {
    await server.close();
  }
});

test('Expect: 100-continue: the body waits for 100, is not sent after a final answer, and goes unasked after a moment of silence', async () => {
  const body = '{"name":"x"}';
  const continues = await recorder(
    () => OK,
    (head) => (/expect/i.test(head) ? 'HTTP/1.1 100 Continue\r\n\r\n' : undefined),
  );
  const refuses = await recorder(
    () => OK,
    (head) => (/expect/i.test(head) ? 'HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}' : undefined),
  );
  const silent = await recorder(() => OK);
  try {
    const request = form('expect-continue').apply(plain(continues.url, body));
    expect((await send(request)).received.status).toBe(200);
    // The body came after the 100, on the same request.
    expect(continues.seen.map((r) => r.body.toString())).toEqual([body]);
    const x = await send(form('expect-continue').apply(plain(refuses.url, body)));
    expect([x.received.status, x.closedAfter]).toEqual([401, true]);
    const started = performance.now();
    expect((await send(form('expect-continue').apply(plain(silent.url, body)))).received.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(CONTINUE_WAIT_MS - 5);
    expect(silent.seen[0].body.toString()).toBe(body);
  } finally {
    await Promise.all([continues.close(), refuses.close(), silent.close()]);
  }
});

test('answers are read as RFC 9112 frames them: chunked, by length, to the close, none after 304, 1xx skipped, gzip decoded', async () => {
  const list = '{"settings":{}}';
  const replies = [
    'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{"s\r\nc\r\nettings":{}}\r\n0\r\nx: y\r\n\r\n',
    `HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n${json(list)}`,
    'HTTP/1.1 304 Not Modified\r\netag: "x"\r\n\r\n',
  ];
  const server = await recorder((_, socket) => {
    const next = replies.shift();
    if (next) return next;
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n${list}`);
    return undefined;
  });
  const gz = await recorder(() => {
    const bytes = gzipSync(list);
    return Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${bytes.length}\r\n\r\n`),
      bytes,
    ]);
  });
  try {
    const pool = new WirePool(DIRECT, 3000);
    const texts = [];
    for (let i = 0; i < 4; i++) texts.push((await send(plain(server.url), pool, 'kept')).received);
    expect(texts.map((r) => [r.status, r.text])).toEqual([
      [200, list],
      [200, list],
      [304, ''],
      [200, list],
    ]);
    const zipped = await send(form('accept-encoding').apply(plain(gz.url)));
    expect(zipped.received.json).toEqual({ settings: {} });
  } finally {
    await Promise.all([server.close(), gz.close()]);
  }
});

test('what is not an answer is named: not HTTP, headers too large, a body past the cap, no answer in time', async () => {
  const kinds = async (reply: (socket: net.Socket) => void, timeoutMs = 3000) => {
    const server = await recorder((_, socket) => {
      reply(socket);
      return undefined;
    });
    try {
      await wireExchange(plain(server.url), 'fresh', new WirePool(DIRECT, timeoutMs), DIRECT, timeoutMs);
      return 'answered';
    } catch (e) {
      return e instanceof NetworkError ? e.kind : String(e);
    } finally {
      await server.close();
    }
  };
  expect(await kinds((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'))).toBe('not-http');
  expect(await kinds((s) => s.end(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`))).toBe('not-http');
  expect(await kinds((s) => s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${9 * 1024 * 1024}\r\n\r\n`))).toBe('oversized');
  expect(await kinds(() => undefined, 300)).toBe('timeout');
  expect(await kinds((s) => s.destroy())).toBe('dropped');
});

test('a kept connection is reused whatever Keep-Alive says, replaced once when the server had closed it, and reported closed only when it was', async () => {
  // Keep-Alive: timeout=1 is what makes Node's own client give up a connection: this one keeps it.
  const keeps = await recorder(() => `HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 0\r\n\r\n`);
  const closes = await recorder(() => 'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  let answered = 0;
  // Answers the first request of a connection, then closes it unanswered when the next one comes (an idle timeout).
  const idles = await recorder((seen, socket) => {
    if (seen.connection === answered) {
      socket.destroy();
      return undefined;
    }
    answered = seen.connection;
    return OK;
  });
  try {
    const pool = new WirePool(DIRECT, 3000);
    const on = (url: string) => send(plain(url), pool, 'kept');
    const first = await on(keeps.url);
    const second = await on(keeps.url);
    expect([first.reused, second.reused, keeps.connections()]).toEqual([false, true, 1]);
    pool.closeAll();
    const a = await on(closes.url);
    const b = await on(closes.url);
    expect([a.closedAfter, b.reused, closes.connections()]).toEqual([true, false, 2]);
    pool.closeAll();
    await on(idles.url);
    const again = await on(idles.url);
    expect([again.received.status, again.reused, idles.connections()]).toEqual([200, false, 2]);
    pool.closeAll();
  } finally {
    await Promise.all([keeps.close(), closes.close(), idles.close()]);
  }
});

test('every equivalence of the catalogue rewrites the plain request of each operation it applies to, and says how', () => {
  const url = 'http://127.0.0.1:1/whatsapp/v1/bot-a/provision/provider';
  for (const op of ['POST', 'GET', 'DELETE'] as const) {
    const request = plain(url, op === 'POST' ? '{"name":"é中/","type":"www","config":{"bearer":"b"}}' : undefined);
    for (const e of equivalencesFor(op, true)) {
      const variant = e.apply(request);
      expect(variant.form, e.id).toBe(e.what);
      // The same request, other bytes: anything but a connection choice changes what is written.
      if (!e.connection || e.id === 'connection-close')
        expect(JSON.stringify({ ...variant, form: undefined }), `${e.id} on ${op}`).not.toBe(JSON.stringify(request));
    }
  }
});
