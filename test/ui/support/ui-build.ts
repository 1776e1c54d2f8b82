// Builds the editor (ui/dist) with Vite's build() API when it is missing or older than its
// sources. Test files run in parallel processes, so a lock directory makes one build while
// the others wait for it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const UI_DIR = path.join(root, 'ui');
export const UI_DIST = path.join(UI_DIR, 'dist');
const LOCK = path.join(UI_DIR, '.build-lock');
const STALE_LOCK_MS = 120_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether ui/dist is missing or older than ui/src, ui/index.html, ui/vite.config.ts or flows/. */
export function isUiBuildStale(): boolean {
  const index = path.join(UI_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(UI_DIR, 'src')),
    newestMtime(path.join(root, 'flows')),
    fs.statSync(path.join(UI_DIR, 'index.html')).mtimeMs,
    fs.statSync(path.join(UI_DIR, 'vite.config.ts')).mtimeMs,
  );
  return sources > built;
}

async function acquireLock(): Promise<void> {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A builder that died leaves its lock behind; take it over after a while.
      const age = Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs;
      if (Number.isFinite(age) && age > STALE_LOCK_MS) fs.rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Builds the production editor once when needed; returns the dist folder. */
export async function ensureUiBuild(): Promise<string> {
  if (!isUiBuildStale()) return UI_DIST;
  await acquireLock();
  try {
    if (isUiBuildStale()) {
      const { build } = await import('vite');
      await build({ configFile: path.join(UI_DIR, 'vite.config.ts'), logLevel: 'warn' });
    }
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
  return UI_DIST;
}
