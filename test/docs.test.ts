import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorCodesDoc } from '../scripts/generate-error-docs.ts';

describe('generated docs', () => {
  it('keeps docs/error-codes.md in step with the error catalogue (run scripts/generate-error-docs.ts)', () => {
    const file = path.resolve(import.meta.dirname, '../docs/error-codes.md');
    expect(fs.readFileSync(file, 'utf8')).toBe(renderErrorCodesDoc());
  });
});
