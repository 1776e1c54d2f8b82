// The editor's everyday tools in a real browser: import and export, duplicate, copy and
// paste, undo and redo, auto-layout and shortcuts, versions with a deploy diff and rollback,
// connections, and a 100-node flow.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTarget } from '../support/fake-target.ts';
import { TEST_TOKEN, type TestFlowbridge } from '../support/flowbridge.ts';
import { createShooter, shootIfFailed, signIn, startEditorEnvironment, stopEditorEnvironment, type EditorEnvironment } from './support/browser.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = JSON.parse(fs.readFileSync(path.join(root, 'flows/examples/erp-to-attendance/flow.json'), 'utf8')) as {
  id: string;
  name: string;
  nodes: { id: string; type: string; config: Record<string, unknown> }[];
  edges: unknown[];
};

let env: EditorEnvironment | undefined;
let fb: TestFlowbridge;
let target: FakeTarget;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  env = await startEditorEnvironment();
  ({ fb, target, page, pageErrors } = env);
  await signIn(page, TEST_TOKEN);
}, 180_000);
afterEach((ctx) => shootIfFailed(page, ctx));
afterAll(() => stopEditorEnvironment(env));

const nodeCount = () => page.locator('.react-flow__node').count();

async function openFlow(id: string): Promise<void> {
  await page.goto(`/flows/${id}`);
  await page.getByTestId('flow-editor').waitFor();
}

/** The example flow with our fake target as its attendance system, under a fresh id and webhook. */
function exampleFlow(id: string) {
  return {
    ...EXAMPLE,
    id,
    name: `${EXAMPLE.name} (${id})`,
    nodes: EXAMPLE.nodes.map((n) =>
      n.type === 'target.http' ? { ...n, config: { ...n.config, url: `${target.url}/api/employees` } } : n.type === 'source.webhook' ? { ...n, config: { ...n.config, sourceId: id } } : n,
    ),
  };
}

describe('the editor\'s tools', () => {
  it('imports a flow file, exports it unchanged, and duplicates it from the list', async () => {
    const shot = createShooter('5-import-export');
    const file = exampleFlow('imported-erp');
    await page.goto('/');
    await page.getByLabel('Import a flow file').setInputFiles({ name: 'erp.flow.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByTestId('flow-editor').waitFor();
    expect(new URL(page.url()).pathname).toBe('/flows/imported-erp');
    await expect.poll(nodeCount).toBe(4);
    await page.getByTestId('problems-none').waitFor();
    await shot(page, 'imported');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(download.suggestedFilename()).toBe('imported-erp.flow.json');
    const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
    expect(exported).toEqual(file);

    // A file that is not a flow is refused with a reason, not a crash.
    await page.goto('/');
    await page.getByLabel('Import a flow file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
    await expect.poll(() => page.locator('.notice-error').textContent()).toContain('notes.json: The file does not hold a flow');

    const row = page.locator('tr[data-flow-id="imported-erp"]');
    await row.getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => page.locator('tbody tr').filter({ hasText: '(copy)' }).count()).toBe(1);
    await shot(page, 'duplicated');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('copies and pastes nodes, undoes and redoes with the keyboard, and lays the canvas out', async () => {
    const shot = createShooter('6-clipboard-undo-layout');
    await openFlow('imported-erp');
    await expect.poll(nodeCount).toBe(4);
    await page.locator('[data-node-id="only-active"]').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(nodeCount).toBe(5);
    await expect.poll(() => page.locator('[data-node-id="filter-1"]').count()).toBe(1);
    await shot(page, 'pasted');
    await expect.poll(() => page.getByTestId('problems-list').textContent()).toContain('not on any path');

    await page.keyboard.press('Control+z');
    await expect.poll(nodeCount).toBe(4);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(nodeCount).toBe(5);
    await page.locator('[data-node-id="filter-1"]').click();
    await page.keyboard.press('Delete');
    await expect.poll(nodeCount).toBe(4);
    await page.getByTestId('problems-none').waitFor();

    // Shift+click adds to the selection; the inspector then acts on all of them.
    await page.locator('[data-node-id="only-active"]').click();
    await page.locator('[data-node-id="to-attendance-record"]').click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByRole('heading', { name: '2 nodes selected' }).count()).toBe(1);

    const before = await page.locator('[data-node-id="attendance-api"]').boundingBox();
    await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('l');
    await expect.poll(async () => JSON.stringify(await page.locator('[data-node-id="attendance-api"]').boundingBox())).not.toBe(JSON.stringify(before));
    expect(await page.locator('.react-flow__minimap').count()).toBe(1);
    await page.keyboard.press('?');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(1);
    await shot(page, 'layout-and-shortcuts');
    await page.keyboard.press('Escape');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('keeps versions, shows what a deploy changes, and rolls back to an earlier version', async () => {
    const shot = createShooter('7-versions-rollback');
    await fb.api('POST', '/flows', exampleFlow('versioned'));
    expect((await fb.api('POST', '/flows/versioned/deploy')).json.version).toBe(1);
    await openFlow('versioned');
    await page.locator('[data-node-id="to-attendance-record"]').click();
    await page.getByLabel('JSONata expression').fill("{ 'externalId': data.employee.personnelNumber }");
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toBe('Deployed v1 · v2 saved');
    await page.getByRole('button', { name: 'Deploy…' }).click();
    const diff = page.getByTestId('deploy-diff');
    await expect.poll(() => diff.textContent()).toContain('config.expression');
    expect(await diff.textContent()).toContain('ERP fields to attendance record');
    await shot(page, 'deploy-diff');
    await page.getByTestId('confirm-deploy').click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toBe('Deployed v2');

    await page.getByRole('button', { name: 'Versions' }).click();
    const table = page.getByTestId('versions-table');
    await expect.poll(() => table.locator('tr[data-version]').count()).toBe(2);
    await table.locator('tr[data-version="1"]').getByRole('button', { name: 'Roll back to this' }).click();
    await expect.poll(() => page.getByRole('dialog').getByRole('heading').first().textContent()).toBe('Roll back to version 1?');
    await page.getByTestId('deploy-diff').getByText('In full').click();
    expect(await page.getByLabel('config.expression after').textContent()).toContain('$lowercase(email)');
    await shot(page, 'rollback-diff');
    await page.getByTestId('confirm-deploy').click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toBe('Deployed v1 · v2 saved');
    expect((await fb.api('GET', '/flows/versioned')).json.deployedVersion).toBe(1);
    await shot(page, 'rolled-back');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('creates a connection whose secret is never shown again, lets a target name it, and shows which flows use it', async () => {
    const shot = createShooter('9-connections');
    const SECRET = 'attendance-token-7f3a';
    await page.goto('/connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    const form = page.getByTestId('connection-form');
    await form.getByLabel('Name', { exact: true }).fill('Attendance API');
    await form.getByLabel('Kind').selectOption('bearer');
    const token = form.getByLabel(/^Token/);
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill(SECRET);
    await form.getByRole('button', { name: 'Create connection' }).click();
    const row = page.locator('tr[data-connection-id]').filter({ hasText: 'Attendance API' });
    await expect.poll(() => row.count()).toBe(1);
    const connectionId = (await row.getAttribute('data-connection-id'))!;

    // Editing shows the server's mask, never the secret.
    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByTestId('connection-form').getByLabel(/^Token/).inputValue()).not.toBe(SECRET);
    expect(await page.content()).not.toContain(SECRET);
    await page.keyboard.press('Escape');

    await fb.api('POST', '/flows', exampleFlow('with-connection'));
    await fb.api('POST', '/flows/with-connection/deploy');
    await openFlow('with-connection');
    await page.locator('[data-node-id="attendance-api"]').click();
    await page.getByLabel(/^Connection/).selectOption(connectionId);
    await page.getByRole('button', { name: 'Deploy…' }).click();
    await expect.poll(() => page.getByTestId('deploy-diff').textContent()).toContain(connectionId);
    await page.getByTestId('confirm-deploy').click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toBe('Deployed v2');
    const deployed = await fb.api('GET', '/flows/with-connection');
    expect(deployed.json.deployedVersion).toBe(2);
    expect(deployed.json.doc.nodes.find((n: { id: string }) => n.id === 'attendance-api').connection).toBe(connectionId);

    await page.goto('/connections');
    await expect.poll(() => page.locator(`tr[data-connection-id="${connectionId}"]`).textContent()).toContain('with-connection');
    await page.locator(`tr[data-connection-id="${connectionId}"]`).getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => page.locator('.notice').last().textContent()).toContain('Attendance API:');
    expect(await page.content()).not.toContain(SECRET);
    await shot(page, 'connections');
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('shows API errors as readable messages and asks for the token again when it is refused', async () => {
    await page.goto('/flows/no-such-flow');
    await expect.poll(() => page.locator('.error-box').textContent()).toContain('No flow has the id "no-such-flow"');
    expect(await page.locator('.error-box').textContent()).not.toContain('{');
    await page.evaluate(() => sessionStorage.setItem('flowbridge.adminToken', 'wrong'));
    await page.goto('/');
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('sign in again');
    await signIn(page, TEST_TOKEN);
  }, 60_000);

  it('stays usable with a 100-node flow: it opens, validates, selects and edits a node, and lays out', async () => {
    const shot = createShooter('8-hundred-nodes');
    const nodes: Record<string, unknown>[] = [{ id: 'in', type: 'source.webhook', config: { sourceId: 'big' } }];
    const edges: Record<string, unknown>[] = [];
    for (let i = 0; i < 33; i++) {
      nodes.push({ id: `f${i}`, type: 'filter', config: { pattern: { data: { kind: [`k${i}`] } } } });
      nodes.push({ id: `t${i}`, type: 'transform', config: { type: 'jsonata', expression: `{ 'n': ${i}, 'id': data.id }` } });
      nodes.push({ id: `h${i}`, type: 'target.http', config: { url: `${target.url}/big/${i}` } });
      edges.push({ source: 'in', target: `f${i}` }, { source: `f${i}`, target: `t${i}` }, { source: `t${i}`, target: `h${i}` });
    }
    expect(nodes).toHaveLength(100);
    await fb.api('POST', '/flows', { id: 'hundred', name: 'A hundred nodes', nodes, edges });
    await openFlow('hundred');
    await page.getByTestId('problems-none').waitFor();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.locator('[data-node-id="in"]').click();
    await page.getByLabel('Name', { exact: true }).fill('Big webhook');
    await expect.poll(() => page.locator('[data-node-id="in"] .flow-node-title').textContent()).toBe('Big webhook');
    // A whole burst of typing goes through while all hundred nodes are on the canvas.
    const started = Date.now();
    await page.getByLabel('Name', { exact: true }).pressSequentially(' for the big flow', { delay: 0 });
    await expect.poll(() => page.locator('[data-node-id="in"] .flow-node-title').textContent()).toBe('Big webhook for the big flow');
    expect(Date.now() - started).toBeLessThan(10_000);
    await page.keyboard.press('Control+s');
    await expect.poll(async () => (await fb.api('GET', '/flows/hundred')).json.doc.nodes[0].name).toBe('Big webhook for the big flow');
    await shot(page, 'hundred-nodes');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
