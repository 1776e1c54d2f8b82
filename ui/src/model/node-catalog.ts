// The editor's view of the node kinds: the server's list (GET /api/v1/connectors) turned
// into a flows/ NodeCatalog, so validation in the browser uses the very kinds the server
// deploys with, plus the palette entries the user drags onto the canvas.
import { BUILTIN_NODE_KINDS, buildNodeCatalog, type NodeCatalog, type NodeKind, type NodeRole } from '../../../flows/node-kinds.ts';
import type { ConnectorInfo, ConnectorsResponse } from '../api/api-types.ts';
import { initialValue } from '../forms/json-schema.ts';

export interface PaletteItem {
  /** Unique within the palette. */
  key: string;
  type: string;
  role: NodeRole;
  title: string;
  description: string;
  /** The config a new node of this entry starts with. */
  config: Record<string, unknown>;
  /** Words the palette search matches besides title and description. */
  keywords: string;
}

export interface EditorCatalog {
  catalog: NodeCatalog;
  palette: PaletteItem[];
  connectors: ConnectorInfo[];
  kindOf(type: string): NodeKind | undefined;
}

export const ROLE_ORDER: readonly NodeRole[] = ['source', 'filter', 'transform', 'target'];
export const ROLE_TITLES: Record<NodeRole, string> = { source: 'Sources', filter: 'Filters', transform: 'Transforms', target: 'Targets' };

// Transform presets: one palette entry per transform kind, so a user picks "JSONata" rather
// than "Transform" and then a kind.
const TRANSFORM_PRESETS: { kind: string; title: string; description: string; config: Record<string, unknown> }[] = [
  { kind: 'jsonata', title: 'JSONata', description: 'Reshape the event with a JSONata expression.', config: { type: 'jsonata', expression: 'data' } },
  { kind: 'template', title: 'Input template', description: 'AWS input transformer: variables from JSONPaths, a template with <var> placeholders.', config: { type: 'template', inputPathsMap: { id: '$.id' }, inputTemplate: '{"eventId": <id>}' } },
  { kind: 'handlebars', title: 'Handlebars text', description: 'A text message or e-mail body from a Handlebars template.', config: { type: 'handlebars', template: 'Event {{id}} of type {{type}}' } },
  { kind: 'jsonpath', title: 'JSONPath', description: 'Keep one part of the event, picked by JSONPath.', config: { type: 'jsonpath', path: '$.data' } },
  { kind: 'constant', title: 'Constant', description: 'Send a fixed value.', config: { type: 'constant', value: { ok: true } } },
  { kind: 'original', title: 'Event data only', description: 'Send only the event\'s data, without the CloudEvents envelope.', config: { type: 'original', part: 'data' } },
];

function initialConfigFor(kind: NodeKind): Record<string, unknown> {
  if (kind.type === 'filter') return { pattern: { type: ['com.example.event'] } };
  const v = initialValue(kind.configSchema as object);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Builds the catalog and palette from the connectors endpoint's answer. */
export function buildEditorCatalog(res: ConnectorsResponse): EditorCatalog {
  const builtinTypes = new Set(BUILTIN_NODE_KINDS.map((k) => k.type));
  // Built-in kinds come from flows/ itself (they carry pattern and transform checks); the
  // server's others (targets) are taken as described.
  const connectorOf = (type: string) => res.items.find((c) => c.nodeType === type || c.id === type.slice(type.indexOf('.') + 1));
  const extra: NodeKind[] = res.nodeKinds
    .filter((k) => !builtinTypes.has(k.type))
    .map((k) => {
      // Which connections a node may name: from the kind when the server says, else from its connector.
      const connectionKinds = k.connectionKinds ?? connectorOf(k.type)?.connectionKinds ?? [];
      return { type: k.type, role: k.role, title: k.title, description: k.description, configSchema: k.configSchema, connectionKinds, connectionRequired: k.connectionRequired };
    });
  const catalog = buildNodeCatalog(extra);
  const palette: PaletteItem[] = [];
  for (const kind of catalog.values()) {
    if (kind.type === 'transform') {
      for (const p of TRANSFORM_PRESETS) {
        palette.push({ key: `transform:${p.kind}`, type: 'transform', role: 'transform', title: p.title, description: p.description, config: p.config, keywords: `transform ${p.kind}` });
      }
      continue;
    }
    const connector = connectorOf(kind.type);
    palette.push({
      key: kind.type,
      type: kind.type,
      role: kind.role,
      title: kind.title,
      description: kind.description,
      config: initialConfigFor(kind),
      keywords: `${kind.type} ${connector?.category ?? ''} ${connector?.id ?? ''}`,
    });
  }
  palette.sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  return { catalog, palette, connectors: res.items, kindOf: (type) => catalog.get(type) };
}

/** Palette entries whose title, description or keywords contain every word of `query`. */
export function searchPalette(items: readonly PaletteItem[], query: string): PaletteItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...items];
  return items.filter((item) => {
    const text = `${item.title} ${item.description} ${item.keywords} ${item.role}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** A short label for a node: its name, else its kind's title (with the transform kind). */
export function describeNodeKind(type: string, config: Record<string, unknown>, kind: NodeKind | undefined): string {
  if (type === 'transform') {
    const preset = TRANSFORM_PRESETS.find((p) => p.kind === config.type);
    return preset ? preset.title : 'Transform';
  }
  return kind?.title ?? type;
}
