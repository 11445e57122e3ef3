#!/usr/bin/env node
// The npx entry. The package ships the suite compiled to dist/ (Playwright does not compile
// TypeScript inside node_modules); `npm pack` builds it. A clone runs its sources instead, through
// tsx (one of its dev dependencies), so that it behaves like the package right after `npm ci`, and
// never runs a dist/ older than its sources. A checkout built without its dev dependencies (the
// GitHub Action's) has sources but no tsx: it runs the dist/ it has just built.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/run.ts', import.meta.url);
const compiled = new URL('../dist/cli/run.js', import.meta.url);
const tsx = existsSync(sources) ? await import('tsx/esm/api').catch(() => undefined) : undefined;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(compiled)) await import(compiled.href);
else {
  console.error(
    'whatsapp-media-provider-conformance: neither the sources with their dev dependencies (npm ci) nor the build (npm run build) is here',
  );
  process.exit(2);
}
