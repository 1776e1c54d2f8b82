#!/usr/bin/env node
// The package's CLI entry: registers the TypeScript loader, then runs server/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
