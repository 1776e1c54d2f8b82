import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTORS } from './catalog.ts';
import { DOCS_DIR, renderAllDocs, renderConnectorDoc } from './generate-docs.ts';
import { httpConnector } from './http/http.connector.ts';

describe('the generated connector docs', () => {
  it.each([...renderAllDocs()].map(([name, text]) => [name, text] as const))('has docs/connectors/%s up to date (regenerate: node bin/run-ts.js connectors/generate-docs.ts)', (name, text) => {
    const file = path.join(DOCS_DIR, name);
    expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `(missing ${file})`).toBe(text);
  });

  it('writes a page per connector and nothing stale beside them', () => {
    const expected = new Set(['README.md', 'connections.md', ...CONNECTORS.map((c) => `${c.id}.md`)]);
    expect(new Set(fs.readdirSync(DOCS_DIR))).toEqual(expected);
  });

  it('documents every config field, nested ones included, with its default and secrecy', () => {
    const doc = renderConnectorDoc(httpConnector as never);
    expect(doc).toContain('| `url` | URL | string |  | **required**');
    expect(doc).toContain('| `rateLimit.max` | Requests | integer |');
    expect(doc).toContain('| `method` | Method | `POST` \\| `PUT` \\| `PATCH` \\| `DELETE` \\| `GET` | `"POST"` |');
    const slack = renderConnectorDoc(CONNECTORS.find((c) => c.id === 'slack')! as never);
    expect(slack).toContain('**secret** (write-only, never shown)');
  });
});
