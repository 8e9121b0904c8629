// A subset of Go's text/template, enough for Polaris check schemas: field
// chains, variables, pipelines, if/else if/else, range, with, comparison and
// logic functions, len, index, printf/print/println, hasPrefix/hasSuffix,
// literals, trim markers and comments. Values print as Go prints them (%v),
// missing map keys print `<no value>`, and truthiness follows Go.
//
// Values: `undefined` stands for Go's invalid value (a missing map key),
// `null` for nil; strings, numbers, booleans, arrays and plain objects map to
// Go's string, int/float64, bool, []interface{} and map[string]interface{}.

import { lineAt } from '../../kube/index.js';

/** A template that Go would refuse to parse, with the 1-based line of the problem. */
export class GoTemplateError extends Error {
  override readonly name = 'GoTemplateError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** An error while executing a parsed template on some data. */
export class GoTemplateExecError extends Error {
  override readonly name = 'GoTemplateExecError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface GoTemplate {
  /** The template text as given. */
  readonly text: string;
  /** True when the text holds at least one action (anything but text and comments). */
  readonly hasActions: boolean;
  /** Executes the template; throws GoTemplateExecError where Go's Execute would fail. */
  render(data: unknown): string;
}

/** Parses a template once; throws GoTemplateError (with the line) where Go's Parse would fail. */
export function parseGoTemplate(text: string): GoTemplate {
  const items = lex(text);
  const parser = new Parser(items);
  const nodes = parser.parseTemplate();
  const hasActions = items.some((item) => item.kind === 'action');
  return {
    text,
    hasActions,
    render: (data: unknown) => execute(nodes, data),
  };
}

/** Parses and executes a template in one go. */
export function renderGoTemplate(text: string, data: unknown): string {
  return parseGoTemplate(text).render(data);
}

// ---------------------------------------------------------------------------
// Lexer

type TokenType =
  | 'field'
  | 'dot'
  | 'variable'
  | 'ident'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'string'
  | 'char'
  | 'number'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'declare'
  | 'assign';

interface Token {
  readonly type: TokenType;
  /** Field and variable names without `.`; decoded string values; number text. */
  readonly value: string;
  readonly line: number;
  /** Whether whitespace separates this token from the previous one. */
  readonly spaced: boolean;
}

type Item = { kind: 'text'; text: string; line: number } | { kind: 'action'; tokens: Token[]; line: number };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);
const SPACE = /[ \t\r\n]/;

function lex(text: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos <= text.length) {
    const open = text.indexOf('{{', pos);
    let chunk = open === -1 ? text.slice(pos) : text.slice(pos, open);
    if (trimNext) chunk = chunk.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    let actionStart = open + 2;
    if (open !== -1 && text[open + 2] === '-' && SPACE.test(text[open + 3] ?? '')) {
      chunk = chunk.replace(/[ \t\r\n]+$/, '');
      actionStart = open + 4;
    }
    if (chunk !== '') items.push({ kind: 'text', text: chunk, line: lineAt(text, pos) });
    if (open === -1) break;
    const line = lineAt(text, open);
    // Comments: {{/* ... */}}, optionally with trim markers.
    let p = actionStart;
    while (actionStart !== open + 2 && SPACE.test(text[p] ?? '')) p++;
    if (text.startsWith('/*', p)) {
      const end = text.indexOf('*/', p + 2);
      if (end === -1) throw new GoTemplateError(line, 'unclosed comment');
      let after = end + 2;
      if (/^[ \t\r\n]-\}\}/.test(text.slice(after, after + 4))) {
        trimNext = true;
        after += 4;
      } else if (text.startsWith('}}', after)) after += 2;
      else throw new GoTemplateError(lineAt(text, end), 'comment ends before closing delimiter');
      pos = after;
      continue;
    }
    const { tokens, end, trimRight } = lexAction(text, actionStart, line);
    items.push({ kind: 'action', tokens, line });
    trimNext = trimRight;
    pos = end;
  }
  return items;
}

function lexAction(text: string, start: number, startLine: number): { tokens: Token[]; end: number; trimRight: boolean } {
  const tokens: Token[] = [];
  let pos = start;
  let line = startLine;
  let spaced = true;
  const push = (type: TokenType, value: string) => {
    tokens.push({ type, value, line, spaced });
    spaced = false;
  };
  const fail = (reason: string): never => {
    throw new GoTemplateError(line, reason);
  };
  for (;;) {
    if (pos >= text.length) fail('unclosed action');
    const c = text[pos] as string;
    if (SPACE.test(c)) {
      if (text.startsWith('-}}', pos + 1)) return { tokens, end: pos + 4, trimRight: true };
      if (c === '\n') line++;
      pos++;
      spaced = true;
      continue;
    }
    if (text.startsWith('}}', pos)) return { tokens, end: pos + 2, trimRight: false };
    if (c === '"') {
      let end = pos + 1;
      while (end < text.length && text[end] !== '"') {
        if (text[end] === '\\') end++;
        if (text[end] === '\n') fail('unterminated quoted string');
        end++;
      }
      if (end >= text.length) fail('unterminated quoted string');
      push('string', unquoteGo(text.slice(pos + 1, end), line));
      pos = end + 1;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', pos + 1);
      if (end === -1) fail('unterminated raw quoted string');
      const raw = text.slice(pos + 1, end);
      push('string', raw.replace(/\r/g, ''));
      line += (raw.match(/\n/g) ?? []).length;
      pos = end + 1;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)|[^'\\\n])'/u.exec(text.slice(pos));
      if (!m) throw new GoTemplateError(line, 'unterminated character constant');
      const decoded = unquoteGo(m[1] as string, line);
      if ([...decoded].length !== 1) fail(`malformed character constant: ${m[0]}`);
      push('char', String(decoded.codePointAt(0)));
      pos += m[0].length;
      continue;
    }
    const number = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/.exec(
      text.slice(pos),
    );
    const startsNumber = /\d/.test(c) || (/[+\-.]/.test(c) && /[\d.]/.test(text[pos + 1] ?? '') && !(c === '.' && !/\d/.test(text[pos + 1] ?? '')));
    if (number && startsNumber) {
      const after = text[pos + number[0].length] ?? '';
      if (/[A-Za-z0-9_.]/.test(after)) fail(`bad number syntax: "${number[0]}${after}"`);
      push('number', number[0]);
      pos += number[0].length;
      continue;
    }
    if (c === '.') {
      const m = /^\.([\p{L}_][\p{L}\p{N}_]*)/u.exec(text.slice(pos));
      if (m) {
        push('field', m[1] as string);
        pos += m[0].length;
      } else {
        push('dot', '.');
        pos++;
      }
      continue;
    }
    if (c === '$') {
      const m = /^\$[\p{L}\p{N}_]*/u.exec(text.slice(pos)) as RegExpExecArray;
      push('variable', m[0]);
      pos += m[0].length;
      continue;
    }
    const ident = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(text.slice(pos));
    if (ident) {
      const word = ident[0];
      push(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident', word);
      pos += word.length;
      continue;
    }
    if (c === ':' && text[pos + 1] === '=') {
      push('declare', ':=');
      pos += 2;
      continue;
    }
    const single: Record<string, TokenType> = { '|': 'pipe', '(': 'lparen', ')': 'rparen', ',': 'comma', '=': 'assign' };
    const type = single[c];
    if (type) {
      push(type, c);
      pos++;
      continue;
    }
    fail(`unrecognized character in action: ${describeChar(c)}`);
  }
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

function unquoteGo(body: string, line: number): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw new GoTemplateError(line, `invalid syntax in quoted string: \\${e}${hex}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += hexLength;
      continue;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new GoTemplateError(line, `invalid syntax in quoted string: \\${oct}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
      continue;
    }
    throw new GoTemplateError(line, `invalid syntax in quoted string: \\${e ?? ''}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Parser

type Operand =
  | { type: 'field'; names: string[]; line: number }
  | { type: 'dot'; line: number }
  | { type: 'variable'; name: string; fields: string[]; line: number }
  | { type: 'function'; name: string; line: number }
  | { type: 'string'; value: string; line: number }
  | { type: 'number'; value: number; line: number }
  | { type: 'bool'; value: boolean; line: number }
  | { type: 'nil'; line: number }
  | { type: 'pipeline'; pipe: Pipeline; fields: string[]; line: number };

interface Command {
  readonly args: Operand[];
  readonly line: number;
}

interface Pipeline {
  readonly line: number;
  readonly decl: string[];
  readonly isAssign: boolean;
  readonly cmds: Command[];
  readonly text: string;
}

type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline; line: number }
  | { type: 'if' | 'with'; pipe: Pipeline; list: TemplateNode[]; elseList?: TemplateNode[]; line: number }
  | { type: 'range'; pipe: Pipeline; list: TemplateNode[]; elseList?: TemplateNode[]; line: number }
  | { type: 'break' | 'continue'; line: number };

const FUNCTIONS = new Set([
  'and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'len', 'index', 'print', 'printf', 'println', 'hasPrefix', 'hasSuffix',
]);

class Parser {
  private index = 0;
  private readonly vars: string[][] = [['$']];
  private rangeDepth = 0;

  constructor(private readonly items: Item[]) {}

  parseTemplate(): TemplateNode[] {
    const { nodes, stop } = this.parseList();
    if (stop) throw new GoTemplateError(stop.line, `unexpected {{${stop.tokens[0]?.value}}}`);
    return nodes;
  }

  /** Parses nodes up to an {{end}} or {{else}} (returned as `stop`) or the end of input. */
  private parseList(): { nodes: TemplateNode[]; stop?: Extract<Item, { kind: 'action' }> } {
    const nodes: TemplateNode[] = [];
    while (this.index < this.items.length) {
      const item = this.items[this.index++] as Item;
      if (item.kind === 'text') {
        nodes.push({ type: 'text', text: item.text });
        continue;
      }
      const first = item.tokens[0];
      if (!first) throw new GoTemplateError(item.line, 'missing value for command');
      if (first.type === 'keyword') {
        switch (first.value) {
          case 'end':
          case 'else':
            return { nodes, stop: item };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.parseControl(first.value, item.tokens.slice(1), item.line));
            continue;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) throw new GoTemplateError(item.line, `{{${first.value}}} outside {{range}}`);
            if (item.tokens.length > 1) throw new GoTemplateError(item.line, `unexpected ${item.tokens[1]?.value} in {{${first.value}}}`);
            nodes.push({ type: first.value, line: item.line });
            continue;
          default:
            throw new GoTemplateError(item.line, `{{${first.value}}} is not supported in kaji's Go templates`);
        }
      }
      nodes.push({ type: 'action', pipe: this.parsePipeline(item.tokens, item.line, 'command'), line: item.line });
    }
    return { nodes };
  }

  private parseControl(kind: 'if' | 'with' | 'range', tokens: Token[], line: number): TemplateNode {
    // Variables declared in the pipeline or the body live until the control's {{end}}.
    this.vars.push([]);
    try {
      return this.parseControlBody(kind, tokens, line);
    } finally {
      this.vars.pop();
    }
  }

  private parseControlBody(kind: 'if' | 'with' | 'range', tokens: Token[], line: number): TemplateNode {
    const pipe = this.parsePipeline(tokens, line, kind);
    if (kind === 'range') this.rangeDepth++;
    const body = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    const stop = body.stop;
    if (!stop) throw new GoTemplateError(line, `unexpected EOF: {{${kind}}} has no {{end}}`);
    const stopWord = stop.tokens[0]?.value;
    if (stopWord === 'end') {
      if (stop.tokens.length > 1) throw new GoTemplateError(stop.line, `unexpected ${tokenText(stop.tokens[1] as Token)} in end`);
      return { type: kind, pipe, list: body.nodes, line };
    }
    // {{else}}, {{else if ...}}, {{else with ...}}
    const rest = stop.tokens.slice(1);
    if (rest.length > 0) {
      const chained = rest[0] as Token;
      if (chained.type !== 'keyword' || chained.value !== kind || kind === 'range') {
        throw new GoTemplateError(stop.line, `unexpected ${tokenText(chained)} in else`);
      }
      // {{else if x}} ... {{end}} is {{else}}{{if x}} ... {{end}}{{end}}: the chained control consumes the {{end}}.
      const nested = this.parseControl(kind, rest.slice(1), stop.line);
      return { type: kind, pipe, list: body.nodes, elseList: [nested], line };
    }
    const elseBody = this.parseList();
    const end = elseBody.stop;
    if (!end) throw new GoTemplateError(line, `unexpected EOF: {{${kind}}} has no {{end}}`);
    if (end.tokens[0]?.value !== 'end') throw new GoTemplateError(end.line, 'expected end; found {{else}}');
    if (end.tokens.length > 1) throw new GoTemplateError(end.line, `unexpected ${tokenText(end.tokens[1] as Token)} in end`);
    return { type: kind, pipe, list: body.nodes, elseList: elseBody.nodes, line };
  }

  private declared(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }

  private parsePipeline(tokens: Token[], line: number, context: 'command' | 'if' | 'with' | 'range'): Pipeline {
    let pos = 0;
    const decl: string[] = [];
    let isAssign = false;
    const text = tokens.map(tokenText).join(' ');
    // Declarations: $x := / $x = / $k, $v :=
    const t0 = tokens[0];
    const t1 = tokens[1];
    if (t0?.type === 'variable' && (t1?.type === 'declare' || t1?.type === 'assign')) {
      decl.push(t0.value);
      isAssign = t1.type === 'assign';
      pos = 2;
    } else if (t0?.type === 'variable' && t1?.type === 'comma') {
      const t2 = tokens[2];
      const t3 = tokens[3];
      if (context !== 'range') throw new GoTemplateError(line, 'too many declarations in command');
      if (t2?.type !== 'variable' || (t3?.type !== 'declare' && t3?.type !== 'assign')) {
        throw new GoTemplateError(line, `range can only initialize variables`);
      }
      decl.push(t0.value, t2.value);
      isAssign = t3.type === 'assign';
      pos = 4;
    }
    if (isAssign) {
      for (const name of decl) if (!this.declared(name)) throw new GoTemplateError(line, `undefined variable "${name}"`);
    }
    const { cmds, next } = this.parseCommands(tokens, pos, line, false);
    if (next < tokens.length) throw new GoTemplateError(line, `unexpected ${tokenText(tokens[next] as Token)} in ${context === 'command' ? 'command' : context}`);
    if (cmds.length === 0) throw new GoTemplateError(line, `missing value for ${context}`);
    if (!isAssign) this.vars[this.vars.length - 1]?.push(...decl);
    return { line, decl, isAssign, cmds, text };
  }

  /** Parses `cmd | cmd | ...` from `pos` until the end or (when nested) a `)`. */
  private parseCommands(tokens: Token[], start: number, line: number, nested: boolean): { cmds: Command[]; next: number } {
    const cmds: Command[] = [];
    let pos = start;
    for (;;) {
      const args: Operand[] = [];
      while (pos < tokens.length) {
        const token = tokens[pos] as Token;
        if (token.type === 'pipe' || token.type === 'rparen') break;
        const { operand, next } = this.parseOperand(tokens, pos, line);
        args.push(operand);
        pos = next;
      }
      const token = tokens[pos];
      if (args.length === 0) {
        if (token?.type === 'pipe' || cmds.length > 0) throw new GoTemplateError(line, 'missing value for command');
        if (nested) throw new GoTemplateError(line, 'missing value for parenthesized pipeline');
        return { cmds, next: pos };
      }
      if (cmds.length > 0) {
        const first = args[0] as Operand;
        if (first.type !== 'function' && first.type !== 'field' && first.type !== 'variable' && first.type !== 'pipeline') {
          throw new GoTemplateError(line, `non executable command in pipeline stage ${cmds.length + 1}`);
        }
      }
      cmds.push({ args, line });
      if (token?.type === 'pipe') {
        pos++;
        continue;
      }
      if (token?.type === 'rparen' && !nested) throw new GoTemplateError(line, 'unexpected right paren');
      return { cmds, next: pos };
    }
  }

  private parseOperand(tokens: Token[], pos: number, line: number): { operand: Operand; next: number } {
    const token = tokens[pos] as Token;
    let operand: Operand;
    let next = pos + 1;
    switch (token.type) {
      case 'field':
        operand = { type: 'field', names: [token.value], line };
        break;
      case 'dot':
        operand = { type: 'dot', line };
        break;
      case 'variable':
        if (!this.declared(token.value)) throw new GoTemplateError(line, `undefined variable "${token.value}"`);
        operand = { type: 'variable', name: token.value, fields: [], line };
        break;
      case 'ident':
        if (!FUNCTIONS.has(token.value)) throw new GoTemplateError(line, `function "${token.value}" not defined`);
        operand = { type: 'function', name: token.value, line };
        break;
      case 'string':
        operand = { type: 'string', value: token.value, line };
        break;
      case 'char':
        operand = { type: 'number', value: Number(token.value), line };
        break;
      case 'number':
        operand = { type: 'number', value: parseGoNumber(token.value, line), line };
        break;
      case 'bool':
        operand = { type: 'bool', value: token.value === 'true', line };
        break;
      case 'nil':
        operand = { type: 'nil', line };
        break;
      case 'lparen': {
        const inner = this.parseCommands(tokens, pos + 1, line, true);
        if (tokens[inner.next]?.type !== 'rparen') throw new GoTemplateError(line, 'unclosed left paren');
        operand = { type: 'pipeline', pipe: { line, decl: [], isAssign: false, cmds: inner.cmds, text: '(...)' }, fields: [], line };
        next = inner.next + 1;
        break;
      }
      default:
        throw new GoTemplateError(line, `unexpected ${tokenText(token)} in operand`);
    }
    // Field chains: .a.b, $x.a, (pipeline).a — fields that follow without a space.
    while (tokens[next]?.type === 'field' && !(tokens[next] as Token).spaced) {
      const name = (tokens[next] as Token).value;
      if (operand.type === 'field') operand.names.push(name);
      else if (operand.type === 'variable' || operand.type === 'pipeline') operand.fields.push(name);
      else if (operand.type === 'dot') operand = { type: 'field', names: [name], line };
      else throw new GoTemplateError(line, `unexpected .${name} after ${tokenText(token)}`);
      next++;
    }
    if (tokens[next]?.type === 'dot' && !(tokens[next] as Token).spaced && operand.type !== 'dot') {
      throw new GoTemplateError(line, `unexpected . after term ${tokenText(token)}`);
    }
    return { operand, next };
  }
}

function tokenText(token: Token): string {
  switch (token.type) {
    case 'field':
      return `.${token.value}`;
    case 'string':
      return JSON.stringify(token.value);
    default:
      return token.value;
  }
}

function parseGoNumber(text: string, line: number): number {
  const clean = text.replace(/_/g, '');
  let value: number;
  const sign = clean.startsWith('-') ? -1 : 1;
  const body = clean.replace(/^[+-]/, '');
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0\d+$/.test(body)) value = parseInt(body, 8);
  else value = Number(body);
  if (!Number.isFinite(value)) throw new GoTemplateError(line, `illegal number syntax: "${text}"`);
  return sign * value;
}

// ---------------------------------------------------------------------------
// Execution

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  readonly name: string;
  value: unknown;
}

class State {
  out = '';
  readonly vars: Variable[];
  constructor(root: unknown) {
    this.vars = [{ name: '$', value: root }];
  }
}

function execute(nodes: readonly TemplateNode[], data: unknown): string {
  const state = new State(data);
  walkList(state, data, nodes);
  return state.out;
}

function walkList(state: State, dot: unknown, nodes: readonly TemplateNode[]): void {
  for (const node of nodes) walk(state, dot, node);
}

function walk(state: State, dot: unknown, node: TemplateNode): void {
  switch (node.type) {
    case 'text':
      state.out += node.text;
      return;
    case 'action': {
      const value = evalPipeline(state, dot, node.pipe);
      if (node.pipe.decl.length === 0) state.out += printValue(value);
      return;
    }
    case 'if':
    case 'with': {
      const mark = state.vars.length;
      const value = evalPipeline(state, dot, node.pipe);
      if (truth(value)) walkList(state, node.type === 'with' ? value : dot, node.list);
      else if (node.elseList) walkList(state, dot, node.elseList);
      state.vars.length = mark;
      return;
    }
    case 'range':
      walkRange(state, dot, node);
      return;
    case 'break':
      throw new BreakSignal();
    case 'continue':
      throw new ContinueSignal();
  }
}

function walkRange(state: State, dot: unknown, node: Extract<TemplateNode, { type: 'range' }>): void {
  const mark = state.vars.length;
  const pipe = { ...node.pipe, decl: [] as string[] };
  const value = evalPipeline(state, dot, pipe);
  const entries: [unknown, unknown][] = [];
  if (Array.isArray(value)) value.forEach((element, index) => entries.push([index, element]));
  else if (isMap(value)) for (const key of Object.keys(value).sort()) entries.push([key, value[key]]);
  else if (typeof value === 'number' && Number.isInteger(value)) for (let i = 0; i < value; i++) entries.push([i, i]);
  else if (value !== undefined) fail(node.line, `range can't iterate over ${printValue(value)}`);
  const [first, second] = node.pipe.decl;
  for (const [key, element] of entries) {
    const iterationMark = state.vars.length;
    if (first !== undefined && second !== undefined) {
      setVariable(state, first, key, node.pipe.isAssign);
      setVariable(state, second, element, node.pipe.isAssign);
    } else if (first !== undefined) setVariable(state, first, element, node.pipe.isAssign);
    try {
      walkList(state, element, node.list);
    } catch (signal) {
      if (signal instanceof BreakSignal) {
        state.vars.length = iterationMark;
        break;
      }
      if (!(signal instanceof ContinueSignal)) throw signal;
    }
    state.vars.length = iterationMark;
  }
  if (entries.length === 0 && node.elseList) walkList(state, dot, node.elseList);
  state.vars.length = mark;
}

function setVariable(state: State, name: string, value: unknown, assign: boolean): void {
  if (assign) {
    for (let i = state.vars.length - 1; i >= 0; i--) {
      const variable = state.vars[i] as Variable;
      if (variable.name === name) {
        variable.value = value;
        return;
      }
    }
  }
  state.vars.push({ name, value });
}

function lookupVariable(state: State, name: string, line: number): unknown {
  for (let i = state.vars.length - 1; i >= 0; i--) {
    const variable = state.vars[i] as Variable;
    if (variable.name === name) return variable.value;
  }
  return fail(line, `undefined variable: ${name}`);
}

function fail(line: number, reason: string): never {
  throw new GoTemplateExecError(line, reason);
}

function evalPipeline(state: State, dot: unknown, pipe: Pipeline): unknown {
  let value: unknown = undefined;
  let hasFinal = false;
  for (const cmd of pipe.cmds) {
    value = evalCommand(state, dot, cmd, hasFinal, value);
    hasFinal = true;
  }
  for (const name of pipe.decl) setVariable(state, name, value, pipe.isAssign);
  return value;
}

function evalCommand(state: State, dot: unknown, cmd: Command, hasFinal: boolean, final: unknown): unknown {
  const [first, ...rest] = cmd.args as [Operand, ...Operand[]];
  if (first.type === 'function') {
    const args = hasFinal ? [...rest, { type: 'final' as const, value: final }] : rest;
    return callFunction(state, dot, first.name, args, cmd.line);
  }
  if (rest.length > 0 || hasFinal) fail(cmd.line, `can't give argument to non-function ${operandText(first)}`);
  if (first.type === 'nil') fail(cmd.line, 'nil is not a command');
  return evalOperand(state, dot, first);
}

function operandText(operand: Operand): string {
  switch (operand.type) {
    case 'field':
      return '.' + operand.names.join('.');
    case 'variable':
      return operand.name + operand.fields.map((f) => '.' + f).join('');
    case 'function':
      return operand.name;
    case 'string':
      return JSON.stringify(operand.value);
    case 'number':
    case 'bool':
      return String(operand.value);
    case 'nil':
      return 'nil';
    case 'dot':
      return '.';
    case 'pipeline':
      return '(' + operand.pipe.text + ')' + operand.fields.map((f) => '.' + f).join('');
  }
}

function evalOperand(state: State, dot: unknown, operand: Operand): unknown {
  switch (operand.type) {
    case 'field':
      return fieldChain(dot, operand.names, operand.line);
    case 'dot':
      return dot;
    case 'variable':
      return fieldChain(lookupVariable(state, operand.name, operand.line), operand.fields, operand.line);
    case 'function':
      return callFunction(state, dot, operand.name, [], operand.line);
    case 'string':
    case 'number':
    case 'bool':
      return operand.value;
    case 'nil':
      return null;
    case 'pipeline':
      return fieldChain(evalPipeline(state, dot, operand.pipe), operand.fields, operand.line);
  }
}

function fieldChain(receiver: unknown, names: readonly string[], line: number): unknown {
  let value = receiver;
  for (const name of names) {
    if (value === undefined) return undefined; // Go: a missing key's fields are missing too.
    if (value === null) fail(line, `nil pointer evaluating interface {}.${name}`);
    if (!isMap(value)) fail(line, `can't evaluate field ${name} in type ${goTypeName(value)}`);
    value = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
  }
  return value;
}

type Arg = Operand | { type: 'final'; value: unknown };

function callFunction(state: State, dot: unknown, name: string, args: readonly Arg[], line: number): unknown {
  const value = (arg: Arg): unknown => (arg.type === 'final' ? arg.value : evalOperand(state, dot, arg));
  const wantArgs = (count: number) => {
    if (args.length !== count) fail(line, `wrong number of args for ${name}: want ${count} got ${args.length}`);
  };
  const atLeast = (count: number) => {
    if (args.length < count) fail(line, `wrong number of args for ${name}: want at least ${count} got ${args.length}`);
  };
  function errorCalling(reason: string): never {
    return fail(line, `error calling ${name}: ${reason}`);
  }
  switch (name) {
    case 'and': {
      atLeast(1);
      let result: unknown;
      for (const arg of args) {
        result = value(arg);
        if (!truth(result)) return result;
      }
      return result;
    }
    case 'or': {
      atLeast(1);
      let result: unknown;
      for (const arg of args) {
        result = value(arg);
        if (truth(result)) return result;
      }
      return result;
    }
    case 'not':
      wantArgs(1);
      return !truth(value(args[0] as Arg));
    case 'eq': {
      atLeast(1);
      const [a, ...others] = args.map(value);
      if (others.length === 0) errorCalling('missing argument for comparison');
      return others.some((b) => goEqual(a, b, errorCalling));
    }
    case 'ne': {
      wantArgs(2);
      const [a, b] = args.map(value);
      return !goEqual(a, b, errorCalling);
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      wantArgs(2);
      const [a, b] = args.map(value);
      const less = goLess(a, b, errorCalling);
      const equal = goEqual(a, b, errorCalling);
      if (name === 'lt') return less;
      if (name === 'le') return less || equal;
      if (name === 'gt') return !less && !equal;
      return !less;
    }
    case 'len': {
      wantArgs(1);
      const v = value(args[0] as Arg);
      if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      if (v === undefined || v === null) return errorCalling('len of nil pointer');
      return errorCalling(`len of type ${goTypeName(v)}`);
    }
    case 'index': {
      atLeast(1);
      const [item, ...keys] = args.map(value);
      let current = item;
      for (const key of keys) {
        if (current === undefined || current === null) errorCalling('index of untyped nil');
        if (Array.isArray(current)) {
          if (typeof key !== 'number' || !Number.isInteger(key)) errorCalling(`cannot index slice/array with type ${goTypeName(key)}`);
          if (key < 0 || key >= current.length) errorCalling(`index out of range: ${key}`);
          current = current[key];
        } else if (isMap(current)) {
          if (typeof key !== 'string') errorCalling(`value has type ${goTypeName(key)}; should be string`);
          current = Object.prototype.hasOwnProperty.call(current, key) ? current[key] : null;
        } else if (typeof current === 'string') {
          if (typeof key !== 'number' || !Number.isInteger(key)) errorCalling(`cannot index slice/array with type ${goTypeName(key)}`);
          const bytes = Buffer.from(current, 'utf8');
          if (key < 0 || key >= bytes.length) errorCalling(`index out of range: ${key}`);
          current = bytes[key];
        } else errorCalling(`can't index item of type ${goTypeName(current)}`);
      }
      return current;
    }
    case 'print':
      return goSprint(args.map(value).map(asInterface));
    case 'println':
      return args.map(value).map(asInterface).map(formatValue).join(' ') + '\n';
    case 'printf': {
      atLeast(1);
      const [format, ...rest] = args.map(value);
      if (typeof format !== 'string') errorCalling(`wrong type for value; expected string; got ${goTypeName(format)}`);
      return goSprintf(format, rest.map(asInterface));
    }
    case 'hasPrefix':
    case 'hasSuffix': {
      wantArgs(2);
      const [s, affix] = args.map(value);
      for (const v of [s, affix]) {
        if (v === undefined) fail(line, `invalid value; expected string`);
        if (typeof v !== 'string') fail(line, `wrong type for value; expected string; got ${goTypeName(v)}`);
      }
      return name === 'hasPrefix' ? (s as string).startsWith(affix as string) : (s as string).endsWith(affix as string);
    }
  }
  return fail(line, `function "${name}" not defined`);
}

/** A missing value passed to an interface{} parameter becomes nil. */
function asInterface(value: unknown): unknown {
  return value === undefined ? null : value;
}

type Kind = 'nil' | 'bool' | 'number' | 'string' | 'map' | 'slice';

function kindOf(value: unknown): Kind {
  if (value === undefined || value === null) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'slice';
  return 'map';
}

function goEqual(a: unknown, b: unknown, error: (reason: string) => never): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) error('incompatible types for comparison');
  if (ka === 'map' || ka === 'slice') error(`non-comparable type ${formatValue(a)}: ${goTypeName(a)}`);
  return a === b;
}

function goLess(a: unknown, b: unknown, error: (reason: string) => never): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== 'number' && ka !== 'string') error('invalid type for comparison');
  if (ka !== kb) error('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

/** Go's truthiness: false, 0, nil, and empty strings, slices and maps are false. */
export function truth(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function goTypeName(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

// ---------------------------------------------------------------------------
// Go's fmt, for the values templates see

/** How an action prints its value: a missing key is `<no value>`, the rest is %v. */
function printValue(value: unknown): string {
  return value === undefined ? '<no value>' : formatValue(value);
}

/** Go's %v for template values: maps as `map[k:v]` with sorted keys, lists as `[a b]`, nil as `<nil>`. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (isMap(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((key) => `${key}:${formatValue(value[key])}`)
      .join(' ')}]`;
  }
  return String(value);
}

/** Go's %v for a number: integer values as Go ints, other values as float64's shortest %g (1.5, 1e-05, 1.2345675e+06). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return BigInt(value).toString();
  return formatShortestG(value);
}

/** strconv.FormatFloat(v, 'g', -1, 64), which %v uses: shortest digits, exponent form when exp < -4 or exp >= 6. */
function formatShortestG(value: number): string {
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return decimalString(value);
}

/** A plain decimal string (no exponent) of the shortest round-tripping digits. */
function decimalString(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  let out: string;
  if (exponent < 0) out = '0.' + '0'.repeat(-exponent - 1) + digits;
  else if (digits.length <= exponent + 1) out = digits + '0'.repeat(exponent + 1 - digits.length);
  else out = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
  return (negative ? '-' : '') + out;
}

/** Go's fmt.Sprint: operands as %v, a space between two operands when neither is a string. */
export function goSprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** Go's fmt.Sprintf for the common verbs: v s q d f F e E g G x X o b c t %, with flags, width and precision. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  const verbPattern = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])?/y;
  let pos = 0;
  while (pos < format.length) {
    const percent = format.indexOf('%', pos);
    if (percent === -1) {
      out += format.slice(pos);
      break;
    }
    out += format.slice(pos, percent);
    verbPattern.lastIndex = percent;
    const m = verbPattern.exec(format) as RegExpExecArray;
    pos = percent + m[0].length;
    const verb = m[4];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      continue;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    const spec: Spec = {
      minus: m[1]?.includes('-') ?? false,
      plus: m[1]?.includes('+') ?? false,
      sharp: m[1]?.includes('#') ?? false,
      space: m[1]?.includes(' ') ?? false,
      zero: m[1]?.includes('0') ?? false,
      width: m[2] === undefined ? undefined : Number(m[2]),
      precision: m[3] === undefined ? undefined : m[3] === '' ? 0 : Number(m[3]),
    };
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatVerb(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    out += `%!(EXTRA ${args
      .slice(argIndex)
      .map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`)
      .join(', ')})`;
  }
  return out;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  const fill = spec.width - text.length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

function badVerb(verb: string, value: unknown): string {
  if (value === null || value === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function signed(text: string, value: number, spec: Spec): string {
  if (value >= 0 && !Object.is(value, -0)) {
    if (spec.plus) return '+' + text;
    if (spec.space) return ' ' + text;
  }
  return text;
}

function formatVerb(value: unknown, verb: string, spec: Spec): string {
  if (Array.isArray(value) && verb !== 'T' && verb !== 'p') {
    return pad(`[${value.map((v) => formatVerb(v, verb, { ...spec, width: undefined })).join(' ')}]`, spec, false);
  }
  if (isMap(value) && verb !== 'T' && verb !== 'p') {
    const body = Object.keys(value)
      .sort()
      .map((key) => `${formatVerb(key, verb, { ...spec, width: undefined })}:${formatVerb(value[key], verb, { ...spec, width: undefined })}`)
      .join(' ');
    return pad(`map[${body}]`, spec, false);
  }
  switch (verb) {
    case 'v':
      if (spec.sharp && typeof value === 'string') return pad(goQuote(value), spec, false);
      if (typeof value === 'number') return pad(signed(formatNumber(value), value, spec), spec, true);
      return pad(formatValue(value), spec, false);
    case 'T':
      return pad(goTypeName(value), spec, false);
    case 's':
      if (typeof value !== 'string') return badVerb(verb, value);
      return pad(spec.precision === undefined ? value : [...value].slice(0, spec.precision).join(''), spec, false);
    case 'q':
      if (typeof value === 'string') return pad(spec.sharp && !value.includes('`') ? '`' + value + '`' : goQuote(value), spec, false);
      if (typeof value === 'number' && Number.isInteger(value)) return pad(`'${String.fromCodePoint(value)}'`, spec, false);
      return badVerb(verb, value);
    case 't':
      return typeof value === 'boolean' ? pad(String(value), spec, false) : badVerb(verb, value);
    case 'c':
      return typeof value === 'number' && Number.isInteger(value) ? pad(String.fromCodePoint(value), spec, false) : badVerb(verb, value);
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      if (typeof value === 'string' && (verb === 'x' || verb === 'X')) {
        const hexText = Buffer.from(value, 'utf8').toString('hex');
        return pad(verb === 'X' ? hexText.toUpperCase() : hexText, spec, false);
      }
      if (typeof value === 'number' && !Number.isInteger(value) && (verb === 'x' || verb === 'X' || verb === 'b')) {
        return badVerb(verb, value);
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) return badVerb(verb, value);
      const base = verb === 'd' ? 10 : verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      let digits = BigInt(Math.abs(value)).toString(base);
      if (verb === 'X') digits = digits.toUpperCase();
      if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
      if (spec.sharp && verb === 'x') digits = '0x' + digits;
      if (spec.sharp && verb === 'X') digits = '0X' + digits;
      if (spec.sharp && verb === 'o') digits = '0' + digits;
      return pad(signed((value < 0 ? '-' : '') + digits, value, spec), spec, true);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (typeof value !== 'number' || Number.isInteger(value)) return badVerb(verb, value);
      return pad(signed(formatFloat(value, verb, spec.precision), value, spec), spec, true);
    }
    default:
      return badVerb(verb, value);
  }
}

/** Go's %f / %e / %g of a float64. */
export function formatFloat(value: number, verb: string, precision?: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const expo = (text: string) => text.replace(/e([+-])(\d)$/, 'e$10$2');
  switch (verb) {
    case 'f':
    case 'F':
      return Math.abs(value) < 1e21 ? value.toFixed(precision ?? 6) : decimalString(value);
    case 'e':
      return expo(value.toExponential(precision ?? 6));
    case 'E':
      return expo(value.toExponential(precision ?? 6)).toUpperCase();
    default: {
      if (precision === undefined) {
        const text = formatShortestG(value);
        return verb === 'G' ? text.toUpperCase() : text;
      }
      const p = precision === 0 ? 1 : precision;
      const [, exponentText] = value.toExponential(p - 1).split('e') as [string, string];
      const exponent = Number(exponentText);
      let text: string;
      if (exponent < -4 || exponent >= p) text = expo(value.toExponential(p - 1).replace(/\.?0+e/, 'e'));
      else text = value.toFixed(Math.max(0, p - 1 - exponent)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
      return verb === 'G' ? text.toUpperCase() : text;
    }
  }
}

/** strconv.Quote: double quotes with Go escapes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 34: '\\"', 92: '\\\\' };
    if (named[cp]) out += named[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (!/[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch) || (cp !== 0x20 && /\p{Zs}/u.test(ch))) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}
