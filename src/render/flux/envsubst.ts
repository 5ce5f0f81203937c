// Flux's post-build variable substitution (github.com/fluxcd/pkg/envsubst, a drone/envsubst
// fork), re-implemented from its grammar: only `${…}` is a variable (a bare `$var` is text),
// `$$` is an escaped `$`, defaults nest (`${a:=${b}}`), and in strict mode only a plain
// `${var}` with no value fails; a default always satisfies it.

export class SubstitutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubstitutionError';
  }
}

/** The variable names Flux accepts in `substitute`/`substituteFrom`. */
export const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

interface TextNode {
  text: string;
}
interface FuncNode {
  variable: string;
  /** '' for a plain `${var}`; otherwise the operator, e.g. `:=`, `^^`, `//`, `#`. */
  op: string;
  args: Node[][];
}
type Node = TextNode | FuncNode;

const IDENT = /[\p{L}\p{N}_]/u;

class Parser {
  readonly source: string;
  pos = 0;

  constructor(source: string) {
    this.source = source;
  }

  peek(offset = 0): string {
    return this.source[this.pos + offset] ?? '';
  }

  /** Top level: text with `$$` escapes and `${…}` functions. */
  parseAll(): Node[] {
    const nodes: Node[] = [];
    let text = '';
    while (this.pos < this.source.length) {
      const c = this.peek();
      if (c === '$' && this.peek(1) === '{') {
        if (text) nodes.push({ text });
        text = '';
        this.pos += 2;
        nodes.push(this.parseFunc());
      } else if (c === '$' && this.peek(1) === '$') {
        text += '$';
        this.pos += 2;
      } else {
        text += c;
        this.pos++;
      }
    }
    if (text) nodes.push({ text });
    return nodes;
  }

  ident(): string {
    let name = '';
    while (this.pos < this.source.length && IDENT.test(this.peek())) name += this.source[this.pos++];
    return name;
  }

  closeBrace(): void {
    if (this.peek() !== '}') throw new SubstitutionError('bad substitution');
    this.pos++;
  }

  /** An argument: a nested `${…}` or text up to one of `stops` (never escaped, as in Flux). */
  parseArg(stops: string): Node[] {
    if (this.peek() === '$' && this.peek(1) === '{') {
      this.pos += 2;
      return [this.parseFunc()];
    }
    let text = '';
    while (this.pos < this.source.length) {
      const c = this.peek();
      if (stops.includes(c) || (c === '$' && this.peek(1) === '{')) break;
      text += c;
      this.pos++;
    }
    if (this.pos >= this.source.length) throw new SubstitutionError('missing closing brace');
    return [{ text }];
  }

  parseFunc(): FuncNode {
    if (this.peek() === '#') {
      this.pos++;
      const variable = this.ident();
      if (!variable) throw new SubstitutionError('bad substitution');
      this.closeBrace();
      return { variable, op: '#', args: [] };
    }
    const variable = this.ident();
    if (!variable) throw new SubstitutionError('unable to parse variable name');
    const c = this.peek();
    if (c === '}') {
      this.pos++;
      return { variable, op: '', args: [] };
    }
    if ((c === ':' && '=-?+'.includes(this.peek(1))) || c === '=') {
      const op = c === '=' ? '=' : c + this.peek(1);
      this.pos += op.length;
      const args: Node[][] = [];
      while (this.peek() !== '}') {
        if (this.pos >= this.source.length) throw new SubstitutionError('missing closing brace');
        args.push(this.parseArg('}'));
      }
      this.pos++;
      return { variable, op, args };
    }
    if (c === ':') {
      this.pos++;
      const args = [this.parseArg(':}')];
      if (this.peek() === ':') {
        this.pos++;
        args.push(this.parseArg('}'));
      }
      this.closeBrace();
      return { variable, op: ':', args };
    }
    if (c === ',' || c === '^') {
      const op = this.peek(1) === c ? c + c : c;
      this.pos += op.length;
      this.closeBrace();
      return { variable, op, args: [] };
    }
    if (c === '#' || c === '%') {
      const op = this.peek(1) === c ? c + c : c;
      this.pos += op.length;
      const args = [this.parseArg('}')];
      this.closeBrace();
      return { variable, op, args };
    }
    if (c === '/') {
      const second = this.peek(1);
      const op = second === '/' || second === '#' || second === '%' ? `/${second}` : '/';
      this.pos += op.length;
      const args = [this.parseArg('/}')];
      if (this.peek() === '/') {
        this.pos++;
        if (this.peek() !== '}') args.push(this.parseArg('}'));
      }
      this.closeBrace();
      return { variable, op, args };
    }
    throw new SubstitutionError('missing closing brace');
  }
}

/** A shell pattern (`*`, `?`, `[…]`) as a regular expression body. */
function globSource(pattern: string, greedy: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

function shortestPrefix(value: string, pattern: string): string {
  for (let i = 0; i <= value.length; i++) {
    if (new RegExp(`^(?:${globSource(pattern, true)})$`, 's').test(value.slice(0, i))) return value.slice(i);
  }
  return value;
}

function longestPrefix(value: string, pattern: string): string {
  for (let i = value.length; i >= 0; i--) {
    if (new RegExp(`^(?:${globSource(pattern, true)})$`, 's').test(value.slice(0, i))) return value.slice(i);
  }
  return value;
}

function shortestSuffix(value: string, pattern: string): string {
  for (let i = value.length; i >= 0; i--) {
    if (new RegExp(`^(?:${globSource(pattern, true)})$`, 's').test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}

function longestSuffix(value: string, pattern: string): string {
  for (let i = 0; i <= value.length; i++) {
    if (new RegExp(`^(?:${globSource(pattern, true)})$`, 's').test(value.slice(i))) return value.slice(0, i);
  }
  return value;
}

function apply(op: string, value: string, args: string[]): string {
  switch (op) {
    case ',':
      return value.slice(0, 1).toLowerCase() + value.slice(1);
    case ',,':
      return value.toLowerCase();
    case '^':
      return value.slice(0, 1).toUpperCase() + value.slice(1);
    case '^^':
      return value.toUpperCase();
    case '#':
      return args.length === 0 ? String(value.length) : shortestPrefix(value, args[0]);
    case '##':
      return longestPrefix(value, args[0]);
    case '%':
      return shortestSuffix(value, args[0]);
    case '%%':
      return longestSuffix(value, args[0]);
    case ':': {
      const offset = Number.parseInt(args[0], 10);
      if (Number.isNaN(offset)) return value;
      const start = Math.min(Math.max(offset, 0), value.length);
      if (args.length < 2) return value.slice(start);
      const length = Number.parseInt(args[1], 10);
      return Number.isNaN(length) ? value.slice(start) : value.slice(start, start + Math.max(length, 0));
    }
    case '/':
    case '//':
    case '/#':
    case '/%': {
      const body = globSource(args[0] ?? '', true);
      const anchored = op === '/#' ? `^${body}` : op === '/%' ? `${body}$` : body;
      const replacement = args[1] ?? '';
      return value.replace(new RegExp(anchored, op === '//' ? 'gs' : 's'), () => replacement);
    }
    default:
      // Every default operator (`=`, `:=`, `:-`, and `:?`/`:+`, which Flux treats alike):
      // the arguments, joined, when the value is empty.
      return value === '' && args.length > 0 ? args.join('') : value;
  }
}

function evaluate(nodes: Node[], lookup: (name: string) => string | undefined, strict: boolean): string {
  let out = '';
  for (const node of nodes) {
    if ('text' in node) {
      out += node.text;
      continue;
    }
    const args = node.args.map((arg) => evaluate(arg, lookup, strict));
    const value = lookup(node.variable);
    if (value === undefined && strict && node.op === '') {
      throw new SubstitutionError(`variable not set (strict mode): "${node.variable}"`);
    }
    out += apply(node.op, value ?? '', args);
  }
  return out;
}

/**
 * Substitutes `${…}` expressions in `text` as Flux's envsubst does. In strict mode a plain
 * `${var}` whose variable is not set throws; otherwise it becomes the empty string.
 */
export function substitute(text: string, variables: Record<string, string>, strict = false): string {
  const nodes = new Parser(text).parseAll();
  const lookup = (name: string) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
  return evaluate(nodes, lookup, strict);
}
