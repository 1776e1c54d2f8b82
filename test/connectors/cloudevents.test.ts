import { HTTP as CloudEventsHttp } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudeventsConnector, type CloudEventsConfig } from '../../connectors/cloudevents/cloudevents.connector.ts';
import { describeConnectorContract } from '../../connectors/spi/contract-kit.ts';
import type { HttpClient } from '../../connectors/spi/http-client.ts';
import { contextFor, createLocalHttpClient, eventInput } from './support/clients.ts';
import { HTTP_FAILURES, startFakeApi, type FakeApi, type FakeHandler, type FakeRequest } from './support/fake-api.ts';

let api: FakeApi;
let http: HttpClient;

// A CloudEvents receiver that decodes with the CloudEvents SDK, as Knative and others do:
// 400 for anything that is not a valid event in either mode.
function decode(r: FakeRequest) {
  return CloudEventsHttp.toEvent({ headers: r.headers as Record<string, string>, body: r.body }) as any;
}
const receiver: FakeHandler = (r) => {
  try {
    decode(r);
    return { status: 202 };
  } catch (err) {
    return { status: 400, body: { error: String(err) } };
  }
};

const config = (mode: CloudEventsConfig['mode'] = 'binary'): CloudEventsConfig => ({ url: `${api.url}/events/default`, mode });

beforeAll(async () => {
  api = await startFakeApi(receiver);
  http = createLocalHttpClient();
});
afterAll(async () => {
  await http.close();
  await api.close();
});

describeConnectorContract('cloudevents', () => ({
  connector: cloudeventsConnector as never,
  http,
  async arrange(outcome) {
    api.reset();
    if (outcome !== 'ok') api.queue(HTTP_FAILURES[outcome]);
    return { config: config() };
  },
  async assertIdempotent() {
    // The receiver deduplicates on source + id; both attempts carry the same.
    const events = api.received.filter((r) => r.method === 'POST').map(decode);
    expect(events).toHaveLength(2);
    expect(events.map((e: any) => `${e.source} ${e.id}`)).toEqual(['erp://hr evt-1', 'erp://hr evt-1']);
  },
}));

describe('the cloudevents connector', () => {
  const original = { specversion: '1.0', id: 'evt-9', source: 'erp://hr', type: 'hr.employee.created', subject: 'E 9', time: '2026-03-01T09:00:00.000Z', datacontenttype: 'application/json', data: { id: 'E-9', name: 'Zoë' } };

  it.each(['binary', 'structured'] as const)('forwards the event unchanged in %s mode when there is no transform', async (mode) => {
    api.reset();
    await cloudeventsConnector.send!({ body: original, output: 'json', event: original }, contextFor(http, config(mode)));
    const { subject, ...rest } = decode(api.received[0]!).toJSON();
    const { subject: _sent, ...expected } = original;
    expect(rest).toMatchObject(expected);
    // The SDK leaves percent-encoded header values as they are; the wire form is what counts.
    if (mode === 'binary') expect([subject, api.received[0]!.headers['ce-subject']]).toEqual(['E%209', 'E%209']);
    else expect([subject, api.received[0]!.headers['content-type']]).toEqual(['E 9', 'application/cloudevents+json; charset=utf-8']);
  });

  it('keeps the event\'s attributes and carries the transform output as its data', async () => {
    api.reset();
    await cloudeventsConnector.send!({ body: { employee: 'E-9' }, output: 'json', event: original }, contextFor(http, { ...config(), extensions: { forwardedby: 'flowbridge' } }));
    const got = decode(api.received[0]!);
    expect(got.id).toBe('evt-9');
    expect(got.data).toEqual({ employee: 'E-9' });
    expect(got.forwardedby).toBe('flowbridge');
  });

  it('labels a text output as text/plain', async () => {
    api.reset();
    await cloudeventsConnector.send!(eventInput('Zoë joined', original, 'text'), contextFor(http, config()));
    expect(api.received[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(decode(api.received[0]!).data).toBe('Zoë joined');
  });
});
