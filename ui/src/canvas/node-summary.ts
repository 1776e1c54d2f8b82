// One line that says what a node does, shown on the canvas under its name.

/** A short description of a node's settings (`POST http://…`, `/webhooks/erp`, `JSONata`). */
export function summarizeNode(type: string, config: Record<string, unknown>): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (type === 'source.webhook') return config.sourceId ? `/webhooks/${str(config.sourceId)}` : 'no source id yet';
  if (type === 'source.bus') return 'every event on the bus';
  if (type === 'filter') {
    const keys = flattenKeys(config.pattern);
    return keys.length ? `${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ` +${keys.length - 3}` : ''}` : 'no pattern yet';
  }
  if (type === 'transform') {
    switch (config.type) {
      case 'jsonata':
        return oneLine(str(config.expression)) || 'JSONata';
      case 'handlebars':
        return oneLine(str(config.template)) || 'Handlebars';
      case 'template':
        return oneLine(str(config.inputTemplate)) || 'input template';
      case 'jsonpath':
        return str(config.path) || 'JSONPath';
      case 'constant':
        return `constant ${oneLine(JSON.stringify(config.value) ?? '')}`;
      case 'original':
        return config.part === 'data' ? 'event data only' : 'the whole event';
      default:
        return 'choose a transform kind';
    }
  }
  if (typeof config.url === 'string') return `${str(config.method) || 'POST'} ${config.url}`;
  return '';
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 48 ? `${t.slice(0, 47)}…` : t;
}

function flattenKeys(pattern: unknown, prefix = ''): string[] {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(pattern)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v) || k === '$or') out.push(path);
    else out.push(...flattenKeys(v, path));
  }
  return out;
}
