// The editor's four scenarios from the issue, in a real browser (Debian's chromium through
// playwright-core) against a real flowbridge serving the production build. They build on
// one another, as a user's day does: build and deploy the flow, watch an event go through,
// survive a failing target, and test-run a change before deploying it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTarget, type FakeTarget } from '../support/fake-target.ts';
import { startTestFlowbridge, TEST_TOKEN, type TestFlowbridge } from '../support/flowbridge.ts';
import { createShooter, launchBrowser, newEditorContext, signIn, watchPageErrors } from './support/browser.ts';
import { ensureUiBuild } from './support/ui-build.ts';

const SOURCE_ID = 'erp-employees';
const PATTERN = { type: ['erp.employee.changed'], data: { employee: { employmentStatus: ['ACTIVE'], personnelNumber: [{ prefix: 'E-' }] } } };
const EXPRESSION = "data.employee.{ 'externalId': personnelNumber, 'firstName': givenName, 'lastName': familyName, 'email': $lowercase(email), 'active': employmentStatus = 'ACTIVE' }";

function employee(personnelNumber: string, status = 'ACTIVE') {
  return { event: 'erp.employee.changed', employee: { personnelNumber, givenName: 'Anna', familyName: 'Jones', email: 'Anna.Jones@Example.com', employmentStatus: status } };
}

let fb: TestFlowbridge;
let target: FakeTarget;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let flowId: string;

beforeAll(async () => {
  await ensureUiBuild();
  [fb, target, browser] = await Promise.all([startTestFlowbridge(), startFakeTarget(), launchBrowser()]);
  context = await newEditorContext(browser, fb.url);
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  pageErrors = watchPageErrors(page);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await target?.close();
  await fb?.stop();
});

/** Drags a palette entry onto the canvas at a point of the canvas. */
async function dropNode(paletteKey: string, x: number, y: number): Promise<void> {
  await page.locator(`[data-palette-key="${paletteKey}"]`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Connects two nodes by dragging from one's output handle to the other's input handle. */
async function connect(from: string, to: string): Promise<void> {
  await page.locator(`[data-node-id="${from}"] .handle-out`).dragTo(page.locator(`[data-node-id="${to}"] .handle-in`));
}

async function selectNode(id: string): Promise<void> {
  await page.locator(`[data-node-id="${id}"]`).click();
  await page.getByTestId('node-inspector').waitFor();
}

describe('the flow editor in a browser', () => {
  it('builds the ERP → attendance flow from an empty canvas, shows a validation error until it is fixed, and deploys it', async () => {
    const shot = createShooter('1-build-and-deploy');
    await signIn(page, TEST_TOKEN);
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByLabel('Name').fill('ERP employees to attendance');
    await page.getByRole('button', { name: 'Create flow' }).click();
    await page.getByTestId('flow-editor').waitFor();
    flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await shot(page, 'empty-canvas');

    await dropNode('source.webhook', 100, 120);
    await dropNode('filter', 330, 240);
    await dropNode('transform:jsonata', 520, 120);
    await dropNode('target.http', 650, 280);
    await connect('webhook-1', 'filter-1');
    await connect('filter-1', 'transform-1');
    await connect('transform-1', 'http-1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await shot(page, 'nodes-connected');

    await selectNode('webhook-1');
    await page.getByLabel('Name', { exact: true }).fill('ERP employee webhook');
    await page.getByLabel('Source id').fill(SOURCE_ID);
    await page.getByLabel('Event id').selectOption({ label: 'From a header' });
    await page.getByLabel('Header').fill('X-ERP-Delivery-Id');
    await page.getByLabel('Event type').selectOption({ label: 'From the body (JSONPath)' });
    await page.getByLabel('Path').fill('$.event');

    await selectNode('filter-1');
    await page.getByLabel('Event pattern').fill(JSON.stringify(PATTERN, null, 2));
    await selectNode('transform-1');
    await page.getByLabel('JSONata expression').fill(EXPRESSION);

    // A URL without a scheme: the field says so in place, and the problems list names the node.
    await selectNode('http-1');
    await page.getByLabel('URL').fill('attendance.internal/api/employees');
    const fieldError = page.locator('[data-field="url"] .field-errors');
    await expect.poll(() => fieldError.textContent()).toContain('must match pattern');
    await expect.poll(() => page.getByTestId('problems-list').textContent()).toContain('config.url');
    await expect.poll(() => page.locator('[data-node-id="http-1"] .flow-node-problems').textContent()).toBe('1');
    await shot(page, 'validation-error');

    await page.getByLabel('URL').fill(`${target.url}/api/employees`);
    await expect.poll(() => fieldError.count()).toBe(0);
    await page.getByTestId('problems-none').waitFor();
    await shot(page, 'validation-fixed');

    await page.getByRole('button', { name: 'Deploy…' }).click();
    const diff = page.getByTestId('deploy-diff');
    await diff.waitFor();
    expect(await diff.textContent()).toContain('ERP employee webhook');
    await shot(page, 'deploy-diff');
    await page.getByTestId('confirm-deploy').click();
    await expect.poll(() => page.getByTestId('flow-status').textContent()).toMatch(/^Deployed v\d+$/);
    await shot(page, 'deployed');

    // What the editor saved is what the server runs: an ERP webhook goes through to the target.
    const res = await fb.post(`/webhooks/${SOURCE_ID}`, JSON.stringify(employee('E-1001')), { 'content-type': 'application/json', 'x-erp-delivery-id': 'd-1' });
    expect(res.status).toBe(202);
    const [got] = await target.waitFor(1);
    expect(got!.json).toEqual({ externalId: 'E-1001', firstName: 'Anna', lastName: 'Jones', email: 'anna.jones@example.com', active: true });
    const stored = await fb.api('GET', `/flows/${flowId}`);
    expect(stored.json.doc.nodes.map((n: { id: string }) => n.id)).toEqual(['webhook-1', 'filter-1', 'transform-1', 'http-1']);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

