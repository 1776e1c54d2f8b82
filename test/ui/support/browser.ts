// Debian's chromium driven by playwright-core (never a downloaded browser), one per test
// file, with helpers that keep the scenarios readable.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startFakeTarget, type FakeTarget } from '../../support/fake-target.ts';
import { startTestFlowbridge, type TestFlowbridge } from '../../support/flowbridge.ts';
import { ensureUiBuild } from './ui-build.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = path.join(root, 'test-artifacts', 'ui');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  // launch() gives every run a fresh, temporary user-data-dir.
  return await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export async function newEditorContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  return context;
}

/** Saves a screenshot as test-artifacts/ui/<scenario>/<nn>-<step>.png. */
export function createShooter(scenario: string): (page: Page, step: string) => Promise<void> {
  const dir = path.join(ARTIFACTS, scenario);
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n++;
    await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${step}.png`) });
  };
}

/** Collects uncaught page errors, so a test can assert the editor never crashed. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** Signs in with the admin token on the sign-in screen. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Flows', exact: true }).waitFor();
}

export interface EditorEnvironment {
  fb: TestFlowbridge;
  target: FakeTarget;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page so far. */
  pageErrors: string[];
}

/** What a browser test file needs: the production build, a flowbridge, a fake target, one browser with one page. */
export async function startEditorEnvironment(): Promise<EditorEnvironment> {
  await ensureUiBuild();
  const [fb, target, browser] = await Promise.all([startTestFlowbridge(), startFakeTarget(), launchBrowser()]);
  const context = await newEditorContext(browser, fb.url);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { fb, target, browser, context, page, pageErrors: watchPageErrors(page) };
}

export async function stopEditorEnvironment(env: EditorEnvironment | undefined): Promise<void> {
  await env?.context.close();
  await env?.browser.close();
  await env?.target.close();
  await env?.fb.stop();
}

/** For afterEach: a failed test leaves a picture of where it stopped. */
export async function shootIfFailed(page: Page | undefined, ctx: { task: { name: string; result?: { state?: string } } }): Promise<void> {
  if (page && ctx.task.result?.state === 'fail') await createShooter('failures')(page, ctx.task.name.slice(0, 60).replace(/[^\w]+/g, '-'));
}
