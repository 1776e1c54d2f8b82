#!/usr/bin/env -S node --max-semi-space-size=32
// The package's CLI entry: registers the TypeScript loader, then runs server/cli.ts. The
// larger young generation (V8's default semi-space is 16 MB) is for `start` under load: see
// bench/README.md; `npm start` passes the same flag.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
