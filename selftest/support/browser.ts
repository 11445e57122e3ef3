// A real Chromium for the self-tests that look at reports as people do, from the npm install alone:
// the build inside @sparticuz/chromium, with the shared libraries it ships for Amazon Linux (NSS,
// NSPR) unpacked beside it, so that no system package (Debian's chromium, libnss3) is needed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** The flags the project runs Chromium with; its package's own defaults include --single-process, with which pages crash under Playwright. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Unpacks the package's al2023.tar.br (plain files under lib/) once; returns the folder of libraries. */
function libraries(): string {
  const bin = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..', 'bin');
  const out = join(tmpdir(), 'conformance-chromium-libs', 'lib');
  if (existsSync(join(out, 'libnss3.so'))) return out;
  const tar = brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br')));
  const staging = `${dirname(out)}.${process.pid}`;
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.toString('utf8', at, at + 100).replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(
      tar
        .toString('utf8', at + 124, at + 136)
        .replace(/\0.*$/s, '')
        .trim() || '0',
      8,
    );
    const type = String.fromCharCode(tar[at + 156]);
    if (type === '0' || type === '\0') {
      mkdirSync(join(staging, dirname(name)), { recursive: true });
      writeFileSync(join(staging, name), tar.subarray(at + 512, at + 512 + size), { mode: 0o755 });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  // Renamed into place whole, so that a concurrent self-test never loads half a folder.
  try {
    renameSync(staging, dirname(out));
  } catch (e) {
    // Another process got there first; any other failure leaves no libraries, and says why.
    if (!existsSync(join(out, 'libnss3.so'))) throw e;
  }
  return out;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = await sparticuz.executablePath();
  const libs = libraries();
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  } as Record<string, string>;
  return chromium.launch({ executablePath, args: FLAGS, env });
}
