#!/usr/bin/env node
// The npx entry. The package ships the suite compiled to dist/ (Playwright does not compile
// TypeScript inside node_modules); `npm pack` builds it. A clone runs its sources instead, through
// tsx (one of its dev dependencies), so that it behaves like the package right after `npm ci`, and
// never runs a dist/ older than its sources.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/run.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else await import('../dist/cli/run.js');
