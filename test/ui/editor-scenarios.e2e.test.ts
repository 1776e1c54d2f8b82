// The editor's four scenarios from the issue, in a real browser (Debian's chromium through
// playwright-core) against a real flowbridge serving the production build. They build on
// one another, as a user's day does: build and deploy the flow, watch an event go through,
// survive a failing target, and test-run a change before deploying it.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTarget } from '../support/fake-target.ts';
import { TEST_TOKEN, type TestFlowbridge } from '../support/flowbridge.ts';
import { createShooter, shootIfFailed, signIn, startEditorEnvironment, stopEditorEnvironment, type EditorEnvironment } from './support/browser.ts';

const SOURCE_ID = 'erp-employees';
const PATTERN = { type: ['erp.employee.changed'], data: { employee: { employmentStatus: ['ACTIVE'], personnelNumber: [{ prefix: 'E-' }] } } };
const EXPRESSION = "data.employee.{ 'externalId': personnelNumber, 'firstName': givenName, 'lastName': familyName, 'email': $lowercase(email), 'active': employmentStatus = 'ACTIVE' }";

function employee(personnelNumber: string, status = 'ACTIVE') {
  return { event: 'erp.employee.changed', employee: { personnelNumber, givenName: 'Anna', familyName: 'Jones', email: 'Anna.Jones@Example.com', employmentStatus: status } };
}

let env: EditorEnvironment | undefined;
let fb: TestFlowbridge;
let target: FakeTarget;
let page: Page;
let pageErrors: string[];
let flowId: string;

beforeAll(async () => {
  env = await startEditorEnvironment();
  ({ fb, target, page, pageErrors } = env);
}, 180_000);
afterEach((ctx) => shootIfFailed(page, ctx));
afterAll(() => stopEditorEnvironment(env));

/** Drags a palette entry onto the canvas at a point of the canvas. */
async function dropNode(paletteKey: string, x: number, y: number): Promise<void> {
  await page.locator(`[data-palette-key="${paletteKey}"]`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Connects two nodes by dragging from one's output handle to the other's input handle. */
async function connect(from: string, to: string): Promise<void> {
  await page.locator(`[data-node-id="${from}"] .handle-out`).dragTo(page.locator(`[data-node-id="${to}"] .handle-in`));
}

/** Confirms the open deploy dialog and waits until the editor shows that version deployed. */
async function confirmDeploy(): Promise<number> {
  const title = await page.getByRole('dialog').getByRole('heading').textContent();
  const version = Number(/version (\d+)/.exec(title ?? '')?.[1]);
  await page.getByTestId('confirm-deploy').click();
  await expect.poll(() => page.getByTestId('flow-status').textContent()).toBe(`Deployed v${version}`);
  return version;
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
    await confirmDeploy();
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

  it('shows a webhook sent to the deployed flow arrive in its event list live, and opens its trace', async () => {
    const shot = createShooter('2-events-and-trace');
    await page.getByRole('tab', { name: 'Events' }).click();
    const panel = page.getByTestId('events-panel');
    await expect.poll(() => panel.textContent()).toContain('Live');
    const firstRow = panel.locator('tr[data-event-id="d-1"]');
    await expect.poll(() => firstRow.getAttribute('data-status')).toBe('delivered');

    // No reload: the rows come in over the flow's event stream.
    await fb.post(`/webhooks/${SOURCE_ID}`, JSON.stringify(employee('E-1002')), { 'content-type': 'application/json', 'x-erp-delivery-id': 'd-2' });
    await fb.post(`/webhooks/${SOURCE_ID}`, JSON.stringify(employee('E-1099', 'TERMINATED')), { 'content-type': 'application/json', 'x-erp-delivery-id': 'd-2b' });
    const row = panel.locator('tr[data-event-id="d-2"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('delivered');
    await expect.poll(() => panel.locator('tr[data-event-id="d-2b"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('filtered');
    await shot(page, 'event-list');

    await row.click();
    const trace = page.getByTestId('trace');
    await expect.poll(() => trace.locator('[data-trace-kind="attempt"]').textContent()).toMatch(/Attempt 1 delivered \(HTTP 200\) in \d+ ms/);
    expect(await trace.locator('[data-trace-kind="matched"]').textContent()).toContain('Matched rule');
    expect(await trace.textContent()).toContain('d-2');
    await shot(page, 'trace');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows a delivery that failed for good in the dead letters, and delivers it once the target is fixed and it is redriven', async () => {
    const shot = createShooter('3-dead-letter-and-redrive');
    // Few, quick retries for this target, set in its delivery policy and deployed.
    await selectNode('http-1');
    await page.getByText('Delivery policy (flow defaults)').click();
    await page.getByLabel('Max attempts').fill('2');
    await page.getByLabel('First retry delay (ms)').fill('50');
    await page.getByLabel('Longest retry delay (ms)').fill('100');
    await page.getByRole('button', { name: 'Deploy…' }).click();
    await expect.poll(() => page.getByTestId('deploy-diff').textContent()).toContain('delivery.maxAttempts');
    await confirmDeploy();

    target.setFallback({ status: 503, body: '{"error":"maintenance"}' });
    const before = target.received.length;
    await fb.post(`/webhooks/${SOURCE_ID}`, JSON.stringify(employee('E-1003')), { 'content-type': 'application/json', 'x-erp-delivery-id': 'd-3' });
    await page.getByRole('tab', { name: 'Events' }).click();
    const row = page.getByTestId('events-panel').locator('tr[data-event-id="d-3"]');
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('dead-lettered');
    expect(target.received.length - before).toBe(2);
    await shot(page, 'event-dead-lettered');

    const tab = page.getByRole('tab', { name: /^Dead letters/ });
    await expect.poll(() => tab.textContent()).toBe('Dead letters (1)');
    await tab.click();
    const list = page.getByTestId('dead-letters');
    const dl = list.locator('tr[data-dead-letter]').first();
    await dl.click();
    const detail = page.getByTestId('dead-letter-detail');
    await expect.poll(() => detail.textContent()).toContain('Retries used up');
    expect(await detail.textContent()).toContain('HTTP 503');
    await shot(page, 'dead-letter');

    target.setFallback({ status: 200, body: '{"ok":true}' });
    await dl.getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => list.locator('tr[data-dead-letter]').count(), { timeout: 15_000 }).toBe(0);
    await page.getByRole('tab', { name: 'Events' }).click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('delivered');
    const delivered = target.received[target.received.length - 1]!;
    expect(delivered.json).toMatchObject({ externalId: 'E-1003' });
    await row.click();
    await expect.poll(() => page.getByTestId('trace').locator('[data-trace-kind="redriven"]').count()).toBe(1);
    await shot(page, 'redriven-and-delivered');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('test-runs the flow on a pasted sample event and shows each node\'s output, why a filter stopped, and the request a target would send', async () => {
    const shot = createShooter('4-test-run');
    await page.goto(`/flows/${flowId}`);
    await page.getByTestId('flow-editor').waitFor();
    await page.getByRole('tab', { name: 'Test run' }).click();

    // A raw ERP webhook body: the editor has the server wrap it as the webhook source would.
    await page.getByRole('textbox', { name: 'Sample event', exact: true }).fill(JSON.stringify(employee('E-1003'), null, 2));
    await page.getByRole('button', { name: 'Run test' }).click();
    const results = page.getByTestId('test-results');
    await expect.poll(() => results.textContent()).toContain('1 would deliver');
    const transformOutput = page.getByLabel('Output of transform-1');
    expect(JSON.parse((await transformOutput.textContent())!)).toEqual({ externalId: 'E-1003', firstName: 'Anna', lastName: 'Jones', email: 'anna.jones@example.com', active: true });
    const request = page.getByTestId('request-preview');
    await expect.poll(() => request.textContent()).toContain(`POST ${target.url}/api/employees`);
    expect(await page.getByLabel('Request headers').textContent()).toMatch(/idempotency-key: [\w-]{20,}/);
    expect(JSON.parse((await page.getByLabel('Request body').textContent())!)).toMatchObject({ externalId: 'E-1003' });
    await expect.poll(() => page.locator('[data-node-id="http-1"] .flow-node-run').textContent()).toBe('Test run: would deliver');
    await shot(page, 'would-deliver');

    await page.getByRole('textbox', { name: 'Sample event', exact: true }).fill(JSON.stringify(employee('E-1004', 'TERMINATED'), null, 2));
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => results.textContent()).toContain('1 filtered out');
    expect(await results.textContent()).toContain('data.employee.employmentStatus: expected ["ACTIVE"], the event has "TERMINATED"');
    await expect.poll(() => page.locator('[data-node-id="filter-1"] .flow-node-run').textContent()).toBe('Test run: filtered out');
    expect(await page.locator('[data-node-id="transform-1"] .flow-node-run').count()).toBe(0);
    await shot(page, 'filtered-out');

    // The language editors try their node on the sample beside them, live.
    await selectNode('filter-1');
    const patternResult = page.getByTestId('pattern-result');
    await expect.poll(() => patternResult.textContent()).toContain('The sample does not match');
    await page.getByLabel('Event pattern').fill(JSON.stringify({ type: ['erp.employee.changed'] }));
    await expect.poll(() => patternResult.textContent()).toContain('The sample matches');
    await page.getByLabel('Event pattern').fill('{"type": [{"prefix": 1}]}');
    await expect.poll(() => page.getByTestId('pattern-problems').textContent()).toContain('prefix match pattern must be a string');
    await shot(page, 'pattern-error-as-you-type');
    // Typing in one editor is one undo step: Undo brings back the deployed pattern.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByLabel('Event pattern').inputValue()).toContain('"ACTIVE"');

    await selectNode('transform-1');
    const transformResult = page.getByTestId('transform-result');
    await page.getByLabel('JSONata expression').fill("{ 'who': data.employee.givenName & ' ' & data.employee.familyName }");
    await expect.poll(async () => transformResult.textContent()).toContain('"who": "Anna Jones"');
    await page.getByLabel('JSONata expression').fill("{ 'who': data.employee.givenName & }");
    await expect.poll(async () => page.locator('.transform-editor .field-errors').first().textContent()).toMatch(/JSONata|position/);
    await shot(page, 'jsonata-live');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

