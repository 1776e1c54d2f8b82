#!/usr/bin/env node
// Enforces the module boundaries of ARCHITECTURE.md: ui → flows; server → flows,
// connectors; connectors/* → connectors/spi; flows → nothing of ours; and no import
// cycles anywhere. Runs in the test command; exits 1 with every violation listed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// --root DIR checks another tree (tests use it); by default, the checkout this script is in.
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag !== -1 && process.argv[rootFlag + 1] ? path.resolve(process.argv[rootFlag + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const areas = ['flows', 'server', 'connectors', 'ui/src'];
const importRe = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** The area a repository-relative file belongs to, e.g. 'flows', 'connectors/http'. */
export function areaOf(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'connectors') return parts.length > 2 ? `connectors/${parts[1]}` : 'connectors';
  if (parts[0] === 'ui') return 'ui';
  return parts[0];
}

/** Whether code in area `from` may import code in area `to`. */
export function mayImport(from, to) {
  if (from === to) return true;
  if (from === 'flows') return false;
  if (from === 'ui') return to === 'flows';
  if (from === 'server') return to === 'flows' || to.startsWith('connectors');
  if (from === 'connectors/spi') return false;
  if (from.startsWith('connectors/')) return to === 'connectors/spi';
  if (from === 'connectors') return to.startsWith('connectors/');
  return true;
}

const files = areas.flatMap((a) => walk(path.join(root, a), []));
const problems = [];
const graph = new Map();
for (const file of files) {
  const rel = path.relative(root, file);
  const src = fs.readFileSync(file, 'utf8');
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith('.')) continue;
    const target = path.relative(root, path.resolve(path.dirname(file), spec));
    deps.push(target);
    const isTest = /\.test\.tsx?$/.test(rel);
    if (!isTest && !mayImport(areaOf(rel), areaOf(target))) {
      problems.push(`${rel}: imports ${target} (${areaOf(rel)} → ${areaOf(target)} is not allowed)`);
    }
  }
  graph.set(rel, deps);
}

// Cycle detection over the file graph (iterative DFS, colours).
const colour = new Map();
const reported = new Set();
for (const start of graph.keys()) {
  if (colour.get(start)) continue;
  const stack = [[start, 0]];
  const onPath = [start];
  colour.set(start, 1);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const deps = graph.get(top[0]) ?? [];
    if (top[1] >= deps.length) {
      colour.set(top[0], 2);
      stack.pop();
      onPath.pop();
      continue;
    }
    const next = deps[top[1]++];
    if (!graph.has(next)) continue;
    const c = colour.get(next);
    if (c === 1) {
      const cycle = onPath.slice(onPath.indexOf(next)).concat(next).join(' → ');
      if (!reported.has(cycle)) problems.push(`import cycle: ${cycle}`), reported.add(cycle);
    } else if (!c) {
      colour.set(next, 1);
      stack.push([next, 0]);
      onPath.push(next);
    }
  }
}

if (files.length === 0) {
  console.error(`module boundaries: no source files found under ${root}; is this the right folder?`);
  process.exit(1);
}
if (problems.length) {
  console.error(`module boundaries: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`module boundaries: ${files.length} files checked, no violations, no cycles`);
