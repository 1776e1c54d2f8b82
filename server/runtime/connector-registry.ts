import type { Connector } from '../../connectors/spi/connector.ts';
import type { Problem } from '../../flows/error-codes.ts';

/** `/mappings/1/path` → `mappings[1].path` (flow paths). */
function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, seg) => (/^\d+$/.test(seg) ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
}
import { buildNodeCatalog, type NodeCatalog, type NodeKind } from '../../flows/node-kinds.ts';
import { WEBHOOK_SOURCE_KIND } from '../ingest/webhook-source.kind.ts';

/** The connectors of this process, by node type (`target.<id>`), and the node catalog they make. */
export class ConnectorRegistry {
  private readonly byType = new Map<string, Connector<never>>();
  readonly catalog: NodeCatalog;

  constructor(readonly connectors: readonly Connector<never>[]) {
    const kinds: NodeKind[] = [];
    for (const c of connectors) {
      const common = {
        title: c.title,
        description: c.summary,
        configSchema: c.configSchema,
        connectionKinds: c.connectionKinds,
        connectionRequired: c.connectionRequired ?? false,
        checkConfig: (config: Record<string, unknown>): Problem[] =>
          (c.validateConfig?.(config as never) ?? []).map((p) => ({ code: 'ERR_FLOW_NODE_CONFIG', path: pointerToPath(p.path), message: `${p.message} (${p.code})` })),
      };
      if (c.send) {
        this.byType.set(`target.${c.id}`, c);
        kinds.push({ type: `target.${c.id}`, role: 'target', ...common });
      }
      if (c.poll) {
        this.byType.set(`source.${c.id}`, c);
        kinds.push({ type: `source.${c.id}`, role: 'source', ...common });
      }
    }
    // The server's webhook source kind adds authentication and request settings to the built-in one.
    this.catalog = buildNodeCatalog([WEBHOOK_SOURCE_KIND, ...kinds]);
  }

  /** The connector behind a node type (`target.<id>` or `source.<id>`), or undefined. */
  forNodeType(type: string): Connector<never> | undefined {
    return this.byType.get(type);
  }
}
