// npm run docs: each OpenAPI document as a browsable API reference page in reports/docs/, with
// Redoc's scripts inlined so that the page works offline.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PROFILES, documentPath } from '../contract/openapi.ts';

const out = join('reports', 'docs');
mkdirSync(out, { recursive: true });
for (const profile of PROFILES) {
  const source = documentPath(profile);
  const page = join(out, basename(source).replace(/\.yaml$/, '.html'));
  execFileSync('redocly', ['build-docs', source, '--inlineBundle', '-o', page], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  console.log(`docs: ${page}`);
}
