// Parsing an AWS input-transformer template: which mode it is in, where its `<name>`
// placeholders are, and whether each one sits inside a JSON string ("quoted") or stands
// where a JSON value goes. Rendering decides from that how to insert a value.

/** `json`: starts with `{`; `string`: one quoted JSON string; `text`: anything else. */
export type TemplateMode = 'json' | 'string' | 'text';

export interface TemplateSlot {
  readonly name: string;
  /** Inside a JSON string: the value is inserted escaped, without its own quotes. */
  readonly quoted: boolean;
}

export interface ParsedTemplate {
  readonly mode: TemplateMode;
  /** Literal text and slots, in order. */
  readonly parts: readonly (string | TemplateSlot)[];
}

export interface TemplateParse {
  template?: ParsedTemplate;
  /** Why the template cannot be used (empty when it can); messages name the offending spot. */
  errors: string[];
}

// AWS variable names are [A-Za-z0-9_-]+; predefined variables add dots (`aws.events.rule-name`).
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/y;

function detectMode(template: string): TemplateMode {
  const trimmed = template.trim();
  if (trimmed.startsWith('{')) return 'json';
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return 'string';
  return 'text';
}

function nextNonSpace(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') return ch;
  }
  return undefined;
}

function matchPlaceholder(template: string, at: number): RegExpExecArray | null {
  PLACEHOLDER.lastIndex = at;
  return PLACEHOLDER.exec(template);
}

// Text mode: every placeholder is raw text substitution, quotes mean nothing.
function splitText(template: string): (string | TemplateSlot)[] {
  const parts: (string | TemplateSlot)[] = [];
  let literal = '';
  for (let i = 0; i < template.length; ) {
    const m = template[i] === '<' ? matchPlaceholder(template, i) : null;
    if (m) {
      parts.push(literal, { name: m[1]!, quoted: false });
      literal = '';
      i += m[0].length;
    } else literal += template[i++];
  }
  parts.push(literal);
  return parts.filter((p) => p !== '');
}

// JSON and string modes: track whether each placeholder is inside a JSON string, and refuse
// placeholders used as object keys (AWS forbids them; they could not be quoted reliably).
function splitJson(template: string, errors: string[]): (string | TemplateSlot)[] {
  const parts: (string | TemplateSlot)[] = [];
  let literal = '';
  let inString = false;
  let stringHasSlot = false;
  for (let i = 0; i < template.length; ) {
    const ch = template[i]!;
    const m = ch === '<' ? matchPlaceholder(template, i) : null;
    if (m) {
      const name = m[1]!;
      parts.push(literal, { name, quoted: inString });
      literal = '';
      i += m[0].length;
      if (inString) stringHasSlot = true;
      else if (nextNonSpace(template, i) === ':') errors.push(`placeholder <${name}> is used as an object key, which is not allowed`);
      continue;
    }
    literal += ch;
    i++;
    if (inString && ch === '\\' && i < template.length) {
      literal += template[i++];
    } else if (ch === '"') {
      if (inString && stringHasSlot && nextNonSpace(template, i) === ':') {
        errors.push('a placeholder inside an object key is not allowed');
      }
      inString = !inString;
      stringHasSlot = false;
    }
  }
  parts.push(literal);
  return parts.filter((p) => p !== '');
}

// The template with every slot filled by a neutral value must be valid JSON (a string in
// string mode); otherwise no event could ever render it, and deploy is the time to say so.
function checkSkeleton(mode: TemplateMode, parts: readonly (string | TemplateSlot)[], errors: string[]): void {
  const skeleton = parts.map((p) => (typeof p === 'string' ? p : p.quoted ? '' : 'null')).join('');
  let parsed: unknown;
  try {
    parsed = JSON.parse(skeleton);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    errors.push(
      mode === 'json'
        ? `is not valid JSON once its placeholders are filled in: ${reason}`
        : `starts and ends with a quote, so it is a string template, but it is not one valid JSON string: ${reason}`,
    );
    return;
  }
  if (mode === 'json' && (typeof parsed !== 'object' || parsed === null)) errors.push('a JSON template must be an object');
}

/** Parses an input template once: its mode, literal parts and slots; errors say why it is unusable. */
export function parseInputTemplate(template: string): TemplateParse {
  const mode = detectMode(template);
  if (mode === 'text') return { template: { mode, parts: splitText(template) }, errors: [] };
  const errors: string[] = [];
  const parts = splitJson(template, errors);
  if (errors.length === 0) checkSkeleton(mode, parts, errors);
  return errors.length > 0 ? { errors } : { template: { mode, parts }, errors };
}
