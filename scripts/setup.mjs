#!/usr/bin/env node
// Makes a fresh checkout runnable: installs npm dependencies when they are missing or
// stale, and the system programs flowbridge needs (redis-server; with --test also
// chromium for the editor's browser tests) where it can: apt-get on Debian/Ubuntu as
// root, brew on macOS. Where it cannot, it says exactly what to install and exits 1.
// It uses nothing but Node's standard library, since it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');

function say(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args) {
  say(`running: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  return r.status === 0;
}

function ensureNpmDependencies() {
  const lock = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(marker) || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  if (!run('npm', fs.existsSync(lock) ? ['ci'] : ['install'])) {
    say('npm could not install the dependencies; see the output above.');
    process.exit(1);
  }
}

/** Installs a system package, or explains how to; returns false when it could not. */
function ensureProgram(program, { apt, brew, why }) {
  if (has(program)) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.platform === 'linux' && has('apt-get')) {
    if (isRoot) {
      if (run('apt-get', ['install', '-y', apt]) || (run('apt-get', ['update']) && run('apt-get', ['install', '-y', apt]))) {
        if (has(program)) return true;
      }
    }
    say(`${program} is missing (${why}). Install it with:  sudo apt-get install -y ${apt}`);
    return false;
  }
  if (process.platform === 'darwin' && has('brew')) {
    if (run('brew', ['install', brew]) && has(program)) return true;
    say(`${program} is missing (${why}). Install it with:  brew install ${brew}`);
    return false;
  }
  say(`${program} is missing (${why}). Install the package that provides it (Debian/Ubuntu: ${apt}; macOS: brew install ${brew}).`);
  return false;
}

ensureNpmDependencies();
let ok = true;
if (!process.env.REDIS_URL || forTests) {
  ok = ensureProgram('redis-server', { apt: 'redis-server', brew: 'redis', why: 'flowbridge runs its own Redis when REDIS_URL is not set' }) && ok;
}
if (forTests && fs.existsSync(path.join(root, 'ui', 'package.json'))) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    ok = ensureProgram('chromium', { apt: 'chromium', brew: 'chromium', why: 'the editor is tested in a real browser' }) && ok;
  }
}
if (!ok) process.exit(1);
if (fs.existsSync(path.join(root, 'ui', 'vite.config.ts')) && !fs.existsSync(path.join(root, 'ui', 'dist', 'index.html'))) {
  if (!run('npm', ['run', 'build:ui'])) {
    say('building the editor failed; see the output above.');
    process.exit(1);
  }
}
