import type { Connector } from '../../connectors/spi/connector.ts';
import { buildNodeCatalog, type NodeCatalog, type NodeKind } from '../../flows/node-kinds.ts';
import { WEBHOOK_SOURCE_KIND } from '../ingest/webhook-source.kind.ts';

/** The connectors of this process, by node type (`target.<id>`), and the node catalog they make. */
export class ConnectorRegistry {
  private readonly byType = new Map<string, Connector<never>>();
  readonly catalog: NodeCatalog;

  constructor(readonly connectors: readonly Connector<never>[]) {
    for (const c of connectors) this.byType.set(`target.${c.id}`, c);
    const kinds: NodeKind[] = connectors
      .filter((c) => c.send)
      .map((c) => ({ type: `target.${c.id}`, role: 'target', title: c.title, description: c.summary, configSchema: c.configSchema }));
    // The server's webhook source kind adds authentication and request settings to the built-in one.
    this.catalog = buildNodeCatalog([WEBHOOK_SOURCE_KIND, ...kinds]);
  }

  /** The connector behind a target node type, or undefined. */
  forNodeType(type: string): Connector<never> | undefined {
    return this.byType.get(type);
  }
}
