// scripts/check-boundaries.mjs must catch forbidden imports and import cycles, and pass on
// the real tree. The script finds the tree from its own location, so each case copies it
// into a temporary folder next to a small fixture tree and runs it there.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(repo, 'scripts', 'check-boundaries.mjs');

/** A tree where every import is allowed: ui → flows, server → flows and connectors, connectors/* → spi. */
const ALLOWED: Record<string, string> = {
  'flows/a.ts': 'export const a = 1;\n',
  'flows/b.ts': "import { a } from './a.ts';\nexport const b = a;\n",
  'connectors/spi/connector.ts': 'export const spi = 1;\n',
  'connectors/http/http.connector.ts': "import { spi } from '../spi/connector.ts';\nexport const http = spi;\n",
  'connectors/catalog.ts': "import { http } from './http/http.connector.ts';\nexport const catalog = [http];\n",
  'server/s.ts': "import { b } from '../flows/b.ts';\nimport { catalog } from '../connectors/catalog.ts';\nimport type { spi } from '../connectors/spi/connector.ts';\nexport const s = [b, catalog];\n",
  'ui/src/app.tsx': "import { b } from '../../flows/b.ts';\nexport const app = b;\n",
};

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** Copies the script into a fresh temporary folder with these files; returns the folder. */
function fixture(files: Record<string, string>, prefix = 'fb-boundaries-'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(SCRIPT, path.join(root, 'scripts', 'check-boundaries.mjs'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

function run(root: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-boundaries.mjs')], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The problem lines of a failed run, without the header and indentation. */
function problems(root: string): string[] {
  const r = run(root);
  expect(r.status).toBe(1);
  return r.stderr.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
}

describe('check-boundaries', () => {
  it('passes a tree whose imports all follow the allowed directions', () => {
    const r = run(fixture(ALLOWED));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('module boundaries: 7 files checked, no violations, no cycles');
  });

  const forbidden: [what: string, file: string, text: string, expected: string][] = [
    ['flows → server', 'flows/bad.ts', "import { s } from '../server/s.ts';\n", 'flows/bad.ts: imports server/s.ts (flows → server is not allowed)'],
    ['flows → connectors/spi', 'flows/bad.ts', "import { spi } from '../connectors/spi/connector.ts';\n", 'flows/bad.ts: imports connectors/spi/connector.ts (flows → connectors/spi is not allowed)'],
    ['connectors/x → connectors/y', 'connectors/slack/slack.connector.ts', "import { http } from '../http/http.connector.ts';\n", 'connectors/slack/slack.connector.ts: imports connectors/http/http.connector.ts (connectors/slack → connectors/http is not allowed)'],
    ['connectors/x → server', 'connectors/slack/slack.connector.ts', "import { s } from '../../server/s.ts';\n", 'connectors/slack/slack.connector.ts: imports server/s.ts (connectors/slack → server is not allowed)'],
    ['connectors/x → flows', 'connectors/slack/slack.connector.ts', "import { a } from '../../flows/a.ts';\n", 'connectors/slack/slack.connector.ts: imports flows/a.ts (connectors/slack → flows is not allowed)'],
    ['connectors/spi → a connector', 'connectors/spi/registry.ts', "import { http } from '../http/http.connector.ts';\n", 'connectors/spi/registry.ts: imports connectors/http/http.connector.ts (connectors/spi → connectors/http is not allowed)'],
    ['ui → server', 'ui/src/bad.tsx', "import { s } from '../../server/s.ts';\n", 'ui/src/bad.tsx: imports server/s.ts (ui → server is not allowed)'],
    ['ui → connectors', 'ui/src/bad.tsx', "import { spi } from '../../connectors/spi/connector.ts';\n", 'ui/src/bad.tsx: imports connectors/spi/connector.ts (ui → connectors/spi is not allowed)'],
    ['server → ui', 'server/bad.ts', "import { app } from '../ui/src/app.tsx';\n", 'server/bad.ts: imports ui/src/app.tsx (server → ui is not allowed)'],
  ];
  it.each(forbidden)('refuses an import %s, naming the file and the direction', (_what, file, text, expected) => {
    expect(problems(fixture({ ...ALLOWED, [file]: text }))).toEqual([expected]);
  });

  const forms: [what: string, text: string][] = [
    ['a type-only import', "import type { S } from '../server/s.ts';\n"],
    ['a re-export of everything', "export * from '../server/s.ts';\n"],
    ['a named re-export', "export { s } from '../server/s.ts';\n"],
    ['a side-effect import', "import '../server/s.ts';\n"],
    ['a dynamic import', "export async function load() {\n  return await import('../server/s.ts');\n}\n"],
    ['an import spread over several lines', "import {\n  s,\n  type S,\n} from '../server/s.ts';\n"],
    ['an import after other code on the same line', "const x = 1; import { s } from '../server/s.ts';\n"],
  ];
  it.each(forms)('sees a forbidden import written as %s', (_what, text) => {
    expect(problems(fixture({ ...ALLOWED, 'flows/bad.ts': text }))).toEqual(['flows/bad.ts: imports server/s.ts (flows → server is not allowed)']);
  });

  it('reports an import cycle with the files around it', () => {
    const root = fixture({ ...ALLOWED, 'flows/c1.ts': "import { c2 } from './c2.ts';\nexport const c1 = 1;\n", 'flows/c2.ts': "import { c1 } from './c1.ts';\nexport const c2 = 2;\n" });
    expect(problems(root)).toEqual(['import cycle: flows/c1.ts → flows/c2.ts → flows/c1.ts']);
  });

  it('reports a longer cycle through allowed imports', () => {
    const root = fixture({
      ...ALLOWED,
      'server/x.ts': "import { y } from './y.ts';\nexport const x = 1;\n",
      'server/y.ts': "import { z } from './z.ts';\nexport const y = 1;\n",
      'server/z.ts': "import { x } from './x.ts';\nexport const z = 1;\n",
    });
    expect(problems(root)).toEqual(['import cycle: server/x.ts → server/y.ts → server/z.ts → server/x.ts']);
  });

  it('counts a cycle of type-only imports as a cycle too', () => {
    const root = fixture({ ...ALLOWED, 'flows/t1.ts': "import type { T2 } from './t2.ts';\nexport type T1 = T2;\n", 'flows/t2.ts': "import type { T1 } from './t1.ts';\nexport type T2 = T1 | 1;\n" });
    expect(problems(root)).toEqual(['import cycle: flows/t1.ts → flows/t2.ts → flows/t1.ts']);
  });

  it('lists every problem in one run, with their count', () => {
    const root = fixture({
      ...ALLOWED,
      'flows/bad.ts': "import { s } from '../server/s.ts';\n",
      'ui/src/bad.tsx': "import { s } from '../../server/s.ts';\n",
      'flows/c1.ts': "import { c2 } from './c2.ts';\n",
      'flows/c2.ts': "import { c1 } from './c1.ts';\n",
    });
    const r = run(root);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('module boundaries: 3 problem(s)');
    expect(r.stderr).toContain('flows/bad.ts: imports server/s.ts');
    expect(r.stderr).toContain('ui/src/bad.tsx: imports server/s.ts');
    expect(r.stderr).toContain('import cycle: flows/c1.ts → flows/c2.ts → flows/c1.ts');
  });

  it('lets test files import across areas (they may span folders)', () => {
    const r = run(fixture({ ...ALLOWED, 'flows/b.test.ts': "import { s } from '../server/s.ts';\n" }));
    expect(r.status).toBe(0);
  });

  it('ignores node_modules and dist folders inside an area', () => {
    const r = run(fixture({ ...ALLOWED, 'flows/node_modules/x/index.ts': "import { s } from '../../../server/s.ts';\n", 'ui/src/dist/bundle.ts': "import { s } from '../../../server/s.ts';\n" }));
    expect(r.status).toBe(0);
  });

  it('passes on the real tree', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^module boundaries: \d+ files checked, no violations, no cycles/);
    expect(Number(/(\d+) files/.exec(r.stdout)?.[1])).toBeGreaterThan(50);
  });

  // Bug: the script takes its root from `new URL(import.meta.url).pathname`, which keeps
  // percent-escapes: in a checkout whose path has a space the root does not exist, no file
  // is checked, and it reports "0 files checked, no violations". It should use
  // fileURLToPath, and fail when it finds no files at all.
  it('still catches a forbidden import when the checkout path contains a space', () => {
    const root = fixture({ ...ALLOWED, 'flows/bad.ts': "import { s } from '../server/s.ts';\n" }, 'fb boundaries ');
    expect(run(root).status).toBe(1);
  });
});
