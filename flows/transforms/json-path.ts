// A small JSONPath evaluator for the paths AWS input transformers and the `jsonpath`
// transform use: `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[*]`, `.*`, `[start:end:step]`,
// unions `[0,2]` / `['a','b']` and recursive descent `..name`. It never evaluates script
// or filter expressions (`[?(…)]`, `[(…)]`) — those are rejected, which is what keeps it
// safe on paths written by users — and it only reads own properties, so `$.constructor`
// or `$.__proto__` find nothing.

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number };

interface Segment {
  descendant: boolean;
  selectors: Selector[];
}

/** A path that does not parse; `position` is the offset in the path where parsing stopped. */
export class JsonPathSyntaxError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.name = 'JsonPathSyntaxError';
    this.position = position;
  }
}

export interface CompiledJsonPath {
  readonly source: string;
  /** True when the path can match at most one value (no wildcard, slice, union or `..`). */
  readonly definite: boolean;
  /** Every value the path matches in `input`, in document order. */
  selectAll(input: unknown): unknown[];
  /** A definite path's value (undefined when absent); an indefinite path's matches as an array. */
  select(input: unknown): unknown;
}

// Characters that end a dot-notation name. Everything else (letters of any script, digits,
// `-`, `_`, `/`, `:`, `@`, `$`…) may appear in a name, as AWS paths like `$.detail-type` need.
const NAME_STOP = new Set(['.', '[', ']', '*', "'", '"', '(', ')', '?', ',', ' ', '\t', '\n', '\r']);

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class PathParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Segment[] {
    if (this.text[0] !== '$') this.fail('a path starts with $');
    this.pos = 1;
    const segments: Segment[] = [];
    while (this.pos < this.text.length) segments.push(this.parseSegment());
    return segments;
  }

  private fail(message: string): never {
    throw new JsonPathSyntaxError(`${message} (at position ${this.pos} of ${JSON.stringify(this.text)})`, this.pos);
  }

  private parseSegment(): Segment {
    const ch = this.text[this.pos];
    if (ch === '[') return { descendant: false, selectors: this.parseBracket() };
    if (ch !== '.') this.fail(`unexpected ${JSON.stringify(ch)}; expected . or [`);
    this.pos++;
    let descendant = false;
    if (this.text[this.pos] === '.') {
      descendant = true;
      this.pos++;
      if (this.text[this.pos] === '[') return { descendant, selectors: this.parseBracket() };
    }
    if (this.text[this.pos] === '*') {
      this.pos++;
      return { descendant, selectors: [{ kind: 'wildcard' }] };
    }
    const start = this.pos;
    while (this.pos < this.text.length && !NAME_STOP.has(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('expected a property name');
    return { descendant, selectors: [{ kind: 'name', name: this.text.slice(start, this.pos) }] };
  }

  private parseBracket(): Selector[] {
    this.pos++; // '['
    this.skipSpaces();
    const next = this.text[this.pos];
    if (next === '?' || next === '(') {
      this.fail('filter and script expressions are not supported (use a jsonata transform for conditions)');
    }
    const selectors: Selector[] = [];
    for (;;) {
      this.skipSpaces();
      selectors.push(this.parseSelector());
      this.skipSpaces();
      const ch = this.text[this.pos];
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch === ']') {
        this.pos++;
        return selectors;
      }
      this.fail(ch === undefined ? 'missing ]' : `unexpected ${JSON.stringify(ch)} in brackets`);
    }
  }

  private parseSelector(): Selector {
    const ch = this.text[this.pos];
    if (ch === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    if (ch === "'" || ch === '"') return { kind: 'name', name: this.parseQuoted(ch) };
    const first = this.parseInteger();
    this.skipSpaces();
    if (this.text[this.pos] !== ':') {
      if (first === undefined) this.fail('expected an index, a quoted name, * or a slice');
      return { kind: 'index', index: first };
    }
    this.pos++;
    this.skipSpaces();
    const end = this.parseInteger();
    this.skipSpaces();
    let step = 1;
    if (this.text[this.pos] === ':') {
      this.pos++;
      this.skipSpaces();
      const parsed = this.parseInteger();
      if (parsed === 0) this.fail('a slice step cannot be 0');
      if (parsed !== undefined) step = parsed;
    }
    return { kind: 'slice', start: first, end, step };
  }

  private parseInteger(): number | undefined {
    const match = /^-?\d+/.exec(this.text.slice(this.pos, this.pos + 20));
    if (!match) return undefined;
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) this.fail('index out of range');
    return value;
  }

  private parseQuoted(quote: string): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === quote) {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        const escaped = this.text[this.pos + 1];
        if (escaped === undefined) break;
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    this.fail('unterminated quoted name');
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}

function normalizeIndex(index: number, length: number): number {
  return index < 0 ? length + index : index;
}

// Slice bounds as RFC 9535 defines them, so `[::-1]` and `[-2:]` behave as elsewhere.
function selectSlice(array: unknown[], sel: Extract<Selector, { kind: 'slice' }>, out: unknown[]): void {
  const len = array.length;
  const clamp = (n: number, lo: number, hi: number): number => Math.min(Math.max(n, lo), hi);
  if (sel.step > 0) {
    const lower = clamp(normalizeIndex(sel.start ?? 0, len), 0, len);
    const upper = clamp(normalizeIndex(sel.end ?? len, len), 0, len);
    for (let i = lower; i < upper; i += sel.step) out.push(array[i]);
  } else {
    const upper = clamp(normalizeIndex(sel.start ?? len - 1, len), -1, len - 1);
    const lower = clamp(sel.end === undefined ? -1 : normalizeIndex(sel.end, len), -1, len - 1);
    for (let i = upper; i > lower; i += sel.step) out.push(array[i]);
  }
}

function applySelector(node: unknown, sel: Selector, out: unknown[]): void {
  switch (sel.kind) {
    case 'name':
      if (isJsonObject(node) && Object.hasOwn(node, sel.name)) out.push(node[sel.name]);
      return;
    case 'index':
      if (Array.isArray(node)) {
        const i = normalizeIndex(sel.index, node.length);
        if (i >= 0 && i < node.length) out.push(node[i]);
      }
      return;
    case 'wildcard':
      if (Array.isArray(node)) out.push(...node);
      else if (isJsonObject(node)) out.push(...Object.values(node));
      return;
    case 'slice':
      if (Array.isArray(node)) selectSlice(node, sel, out);
      return;
  }
}

// Pre-order walk with an explicit stack: a deeply nested event must not overflow the call stack.
function collectDescendants(root: unknown): unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    out.push(node);
    const children = Array.isArray(node) ? node : isJsonObject(node) ? Object.values(node) : [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

function isDefinite(segments: Segment[]): boolean {
  return segments.every(
    (s) => !s.descendant && s.selectors.length === 1 && (s.selectors[0]!.kind === 'name' || s.selectors[0]!.kind === 'index'),
  );
}

/** Parses a JSONPath once; throws JsonPathSyntaxError when it does not parse. */
export function compileJsonPath(source: string): CompiledJsonPath {
  const segments = new PathParser(source).parse();
  const definite = isDefinite(segments);

  const selectAll = (input: unknown): unknown[] => {
    let nodes: unknown[] = [input];
    for (const segment of segments) {
      const next: unknown[] = [];
      const sources = segment.descendant ? nodes.flatMap(collectDescendants) : nodes;
      for (const node of sources) for (const sel of segment.selectors) applySelector(node, sel, next);
      nodes = next;
      if (nodes.length === 0) break;
    }
    return nodes;
  };

  if (!definite) return { source, definite, selectAll, select: selectAll };

  // Definite paths are the common case (`$.data.name`): walk them without building arrays.
  const steps = segments.map((s) => s.selectors[0] as Extract<Selector, { kind: 'name' | 'index' }>);
  const select = (input: unknown): unknown => {
    let node = input;
    for (const step of steps) {
      if (step.kind === 'name') {
        if (!isJsonObject(node) || !Object.hasOwn(node, step.name)) return undefined;
        node = node[step.name];
      } else {
        if (!Array.isArray(node)) return undefined;
        const i = normalizeIndex(step.index, node.length);
        if (i < 0 || i >= node.length) return undefined;
        node = node[i];
      }
    }
    return node;
  };
  return { source, definite, selectAll, select };
}
