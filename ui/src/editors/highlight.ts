// Light syntax highlighting for the editor's languages: JSON (patterns, samples), JSONata,
// Handlebars and AWS input templates. Tokenizers never fail: text they do not understand
// is passed through as plain text, so highlighting can never hide what the user typed.

export type TokenType = 'text' | 'string' | 'key' | 'number' | 'keyword' | 'variable' | 'function' | 'operator' | 'punct' | 'comment' | 'tag' | 'placeholder';

export interface Token {
  type: TokenType;
  text: string;
}

export type Language = 'json' | 'jsonata' | 'handlebars' | 'template' | 'jsonpath' | 'text';

type Rule = [RegExp, TokenType | ((m: string, rest: string) => TokenType)];

function tokenizeWith(text: string, rules: readonly Rule[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (type: TokenType, t: string) => {
    const last = out[out.length - 1];
    if (last && last.type === type && type === 'text') last.text += t;
    else out.push({ type, text: t });
  };
  while (i < text.length) {
    let matched = false;
    for (const [re, type] of rules) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m && m.index === i && m[0].length > 0) {
        push(typeof type === 'function' ? type(m[0], text.slice(i + m[0].length)) : type, m[0]);
        i += m[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      push('text', text[i]!);
      i++;
    }
  }
  return out;
}

const JSON_RULES: readonly Rule[] = [
  [/"(?:[^"\\\n]|\\.)*"?/y, (_m, rest) => (/^\s*:/.test(rest) ? 'key' : 'string')],
  [/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y, 'number'],
  [/\b(?:true|false|null)\b/y, 'keyword'],
  [/[{}[\],:]/y, 'punct'],
  [/\s+/y, 'text'],
];

const JSONATA_RULES: readonly Rule[] = [
  [/\/\*[\s\S]*?(?:\*\/|$)/y, 'comment'],
  [/"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?/y, 'string'],
  [/`[^`]*`?/y, 'key'],
  [/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y, 'number'],
  [/\$[A-Za-z_$][\w$]*(?=\s*\()/y, 'function'],
  [/\$[A-Za-z_$]*[\w$]*/y, 'variable'],
  [/\b(?:and|or|in|true|false|null|function)\b/y, 'keyword'],
  [/[A-Za-z_][\w]*/y, 'key'],
  [/:=|!=|<=|>=|~>|\.\.|\?:|\?\?|[-+*/%&=<>!?:^#@|~]/y, 'operator'],
  [/[{}[\](),.;]/y, 'punct'],
  [/\s+/y, 'text'],
];

const HANDLEBARS_INNER: readonly Rule[] = [
  [/"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?/y, 'string'],
  [/\d+(?:\.\d+)?/y, 'number'],
  [/(?:[#/^]|else\b)\s*[A-Za-z_][\w-]*/y, 'keyword'],
  [/@[A-Za-z_]\w*/y, 'variable'],
  [/[A-Za-z_][\w-]*(?=\s*=)/y, 'key'],
  [/[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*|\.\[[^\]]*\])*/y, 'variable'],
  [/[=()|.\\/]/y, 'operator'],
  [/\s+/y, 'text'],
];

function tokenizeHandlebars(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open === -1) {
      out.push({ type: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) out.push({ type: 'text', text: text.slice(i, open) });
    if (text.startsWith('{{!', open)) {
      const long = text.startsWith('{{!--', open);
      const end = text.indexOf(long ? '--}}' : '}}', open);
      const stop = end === -1 ? text.length : end + (long ? 4 : 2);
      out.push({ type: 'comment', text: text.slice(open, stop) });
      i = stop;
      continue;
    }
    const triple = text.startsWith('{{{', open);
    const openLen = triple ? 3 : 2;
    const close = text.indexOf(triple ? '}}}' : '}}', open + openLen);
    out.push({ type: 'tag', text: text.slice(open, open + openLen) });
    const innerEnd = close === -1 ? text.length : close;
    out.push(...tokenizeWith(text.slice(open + openLen, innerEnd), HANDLEBARS_INNER));
    if (close !== -1) out.push({ type: 'tag', text: text.slice(close, close + openLen) });
    i = close === -1 ? text.length : close + openLen;
  }
  return out;
}

// An input template is JSON (or text) with <variable> placeholders.
const TEMPLATE_RULES: readonly Rule[] = [[/<[A-Za-z_$][\w.$-]*>/y, 'placeholder'], ...JSON_RULES];

const JSONPATH_RULES: readonly Rule[] = [
  [/\$/y, 'variable'],
  [/'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?/y, 'string'],
  [/\d+/y, 'number'],
  [/[A-Za-z_][\w-]*/y, 'key'],
  [/\.\.|[.*[\]?(),:@]/y, 'punct'],
  [/[=<>!&|]+/y, 'operator'],
  [/\s+/y, 'text'],
];

/** Splits `text` into tokens of `language`; the tokens' texts always join back to `text`. */
export function tokenize(text: string, language: Language): Token[] {
  switch (language) {
    case 'json':
      return tokenizeWith(text, JSON_RULES);
    case 'jsonata':
      return tokenizeWith(text, JSONATA_RULES);
    case 'handlebars':
      return tokenizeHandlebars(text);
    case 'template':
      return tokenizeWith(text, TEMPLATE_RULES);
    case 'jsonpath':
      return tokenizeWith(text, JSONPATH_RULES);
    default:
      return text ? [{ type: 'text', text }] : [];
  }
}

/** The character offset an error message points at (`at position 12`, `line 2 column 5`), if it says. */
export function errorOffset(message: string, text: string): number | undefined {
  const pos = /position (\d+)/i.exec(message);
  if (pos) return Math.min(Number(pos[1]), text.length);
  const lc = /line (\d+),? col(?:umn)? (\d+)/i.exec(message);
  if (lc) {
    const lines = text.split('\n');
    const line = Math.max(1, Math.min(Number(lc[1]), lines.length));
    let offset = 0;
    for (let i = 0; i < line - 1; i++) offset += lines[i]!.length + 1;
    return Math.min(offset + Number(lc[2]) - 1, text.length);
  }
  return undefined;
}
