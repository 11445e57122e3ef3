// What Playwright's HTML report holds, read as its page reads it: the report is a zip of JSON files,
// base64 in index.html. A zip's central directory names each file, its method (stored or deflated),
// and where its data starts (APPNOTE.TXT §4.3.12, §4.3.7).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface HtmlResult {
  status: string;
  workerIndex: number;
  annotations: { type: string; description?: string }[];
}

export interface HtmlTest {
  title: string;
  outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  ok: boolean;
  results: HtmlResult[];
}

/** The tests of the HTML report in `dir` (index.html in it), each with its results. */
export function htmlReportTests(dir: string): HtmlTest[] {
  const page = readFileSync(join(dir, 'index.html'), 'utf8');
  const base64 = /playwrightReportBase64">data:application\/zip;base64,([^<"]+)/.exec(page)?.[1];
  if (!base64) throw new Error(`${dir}/index.html holds no report data`);
  const files = unzip(Buffer.from(base64, 'base64'));
  const tests: HtmlTest[] = [];
  for (const [name, body] of files) if (name !== 'report.json') tests.push(...JSON.parse(body.toString()).tests);
  return tests;
}

function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : data);
    at += 46 + skip;
  }
  return files;
}
