import { describe, expect, it } from 'vitest';
import { CONNECTORS } from './catalog.ts';
import { checkDeclaration } from './spi/contract-kit.ts';

describe('the connector catalog', () => {
  it('lists every connector of the issue once, under a unique id', () => {
    const ids = CONNECTORS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(['cloudevents', 'dingtalk', 'email', 'feishu', 'http', 'http-poll', 'postgres', 'rest-sync', 'schedule', 'slack', 'wecom']);
  });

  it.each(CONNECTORS.map((c) => [c.id, c] as const))('has a valid declaration for %s', (_id, connector) => {
    expect(checkDeclaration(connector as never)).toEqual([]);
  });

  it('makes targets of the connectors that send and sources of those that poll', () => {
    expect(CONNECTORS.filter((c) => c.poll).map((c) => c.id)).toEqual(['schedule', 'http-poll']);
    expect(CONNECTORS.filter((c) => c.send)).toHaveLength(9);
  });
});
