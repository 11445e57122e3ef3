#!/usr/bin/env node
// The npx entry. The package ships the suite compiled to dist/ (Playwright does not compile
// TypeScript inside node_modules); `npm pack` builds it.
import '../dist/cli/run.js';
