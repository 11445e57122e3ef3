// A request as bytes on the wire, and the suite's plain form of it: what the relations of
// relations/catalogue.ts rewrite, and what client/raw-http.ts writes on a socket. Pure.

/** A request exactly as it goes on the wire. */
export interface WireRequest {
  method: string;
  url: string;
  /** The field lines in the order written, each name and value exactly as written (the value's leading and trailing whitespace included); Host among them. */
  fields: [name: string, value: string][];
  body?: Buffer;
  /** Sent in chunks (the fields then say `Transfer-Encoding: chunked`), not as one run of Content-Length bytes. */
  chunked?: Chunking;
  /** The fields carry `Expect: 100-continue`: the body waits for 100 Continue, or a moment. */
  expectContinue?: boolean;
  /** The request-target in absolute form (`POST http://host/path HTTP/1.1`), which a server must accept (RFC 9112 § 3.2.2). */
  absolute?: boolean;
  /** The protocol version of the request line: HTTP/1.1 unless told. */
  version?: '1.0' | '1.1';
  /** The request-target written as given, whatever the URL says (hostile input: a target that is no URL). */
  target?: string;
  /** How it differs from the suite's plain form, for the transcript; unset for the plain form. */
  form?: string;
}

/** How a chunked body is cut and framed (RFC 9112 § 7.1). */
export interface Chunking {
  /** Byte offsets where one chunk ends and the next begins: anywhere, inside a UTF-8 character too. */
  cuts: number[];
  /** Written after each chunk size: a chunk extension, which a recipient must ignore (§ 7.1.1). */
  extension?: string;
  /** Chunk sizes in upper-case hexadecimal digits. */
  upperHex?: boolean;
  /** Field lines of a trailer section after the last chunk (§ 7.1.2). */
  trailer?: [string, string][];
  /** A pause between chunks, so that each reaches the server in a read of its own. */
  pauseMs?: number;
}

/** A request as the suite builds it: lower-case field names, one value each. */
export interface PlainRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The suite's plain form on the wire, as Node's client writes it: Host first, then the fields in the
 * order built, one space after each colon, and a body framed by its Content-Length.
 */
export function plainWire(request: PlainRequest): WireRequest {
  const url = new URL(request.url);
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  const fields: [string, string][] = [
    ['Host', ` ${url.host}`],
    ...Object.entries(request.headers).map(([n, v]): [string, string] => [n, ` ${v}`]),
    ...(body ? [['content-length', ` ${body.length}`] as [string, string]] : []),
  ];
  return { method: request.method, url: request.url, fields, ...(body ? { body } : {}) };
}

/** The value of a field as a recipient reads it: without the whitespace around it (RFC 9110 § 5.5). */
export const fieldValue = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** The field of that name (compared without case), if the request has one. */
export function field(w: WireRequest, name: string): string | undefined {
  const found = w.fields.find(([n]) => n.toLowerCase() === name.toLowerCase());
  return found && fieldValue(found[1]);
}

/** The request with each field line rewritten by `change` (a line it maps to undefined goes). */
export function eachField(
  w: WireRequest,
  change: (line: [string, string]) => [string, string] | undefined,
): WireRequest {
  return { ...w, fields: w.fields.map(change).filter((l): l is [string, string] => l !== undefined) };
}

/** The request with the field `name` set to `value` where it stood (or added before the framing), or removed (undefined). */
export function withField(w: WireRequest, name: string, value: string | undefined): WireRequest {
  const at = w.fields.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
  const fields = w.fields.filter(([n]) => n.toLowerCase() !== name.toLowerCase());
  if (value === undefined) return { ...w, fields };
  const line: [string, string] = [at >= 0 ? w.fields[at][0] : name, ` ${value}`];
  const framing = fields.findIndex(([n]) => /^(content-length|transfer-encoding)$/i.test(n));
  const index = at >= 0 ? at : framing >= 0 ? framing : fields.length;
  fields.splice(index, 0, line);
  return { ...w, fields };
}

/** The request with its body sent in chunks cut at `cuts` (byte offsets into the body). */
export function chunked(w: WireRequest, chunking: Chunking, codingName = 'chunked'): WireRequest {
  const framed = withField(withField(w, 'content-length', undefined), 'transfer-encoding', codingName);
  return { ...framed, chunked: chunking };
}

/** A byte offset inside a character of two or more bytes in UTF-8, if the body has one (else the middle). */
export function insideACharacter(body: Buffer | undefined): number {
  if (!body) return 0;
  for (let i = 1; i < body.length; i++) if ((body[i] & 0xc0) === 0x80) return i;
  return Math.floor(body.length / 2);
}

/** `Authorization`, `Content-Type`: each word of a field name capitalised, as most clients write them. */
export const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/** `aUtHoRiZaTiOn`: every other letter in upper case. */
export const mixedCase = (name: string) =>
  [...name.toLowerCase()].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
