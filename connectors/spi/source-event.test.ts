import { describe, expect, it } from 'vitest';
import { sourceEventToCloudEvent } from './source-event.ts';

describe('sourceEventToCloudEvent', () => {
  it('wraps a source event into a structured CloudEvent with the node\'s source', () => {
    expect(sourceEventToCloudEvent({ id: 'tick-1', type: 't', time: '2026-03-01T09:00:00.000Z', data: { a: 1 }, extensions: { tenant: 'acme' } }, 'flowbridge://flows/f/nodes/n')).toEqual({
      specversion: '1.0',
      id: 'tick-1',
      source: 'flowbridge://flows/f/nodes/n',
      type: 't',
      time: '2026-03-01T09:00:00.000Z',
      datacontenttype: 'application/json',
      tenant: 'acme',
      data: { a: 1 },
    });
  });

  it('drops extensions that would overwrite attributes or are not valid names', () => {
    const ce = sourceEventToCloudEvent({ id: 'i', type: 't', data: null, extensions: { id: 'x', source: 'y', 'Bad-Name': 'z' } }, 's');
    expect(ce).toMatchObject({ id: 'i', source: 's' });
    expect(ce).not.toHaveProperty('Bad-Name');
  });
});
