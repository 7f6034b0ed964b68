/**
 * A PostgreSQL tsquery, read from its text form, tested against a document's lexemes in Node, with
 * the result PostgreSQL's `@@` gives. It covers what websearch_to_tsquery produces: lexemes joined by
 * `&`, `|`, `!` and phrases (`<->`, `<N>`) of lexemes. A query with anything else (a prefix `:*`, a
 * weight `:AB`, an operator other than a lexeme or a phrase inside a phrase) is not compiled, and
 * its caller tests it in PostgreSQL instead.
 */
export type TsQuery =
  | { op: 'lexeme'; lexeme: string }
  | { op: 'not'; arg: TsQuery }
  | { op: 'and' | 'or'; left: TsQuery; right: TsQuery }
  | { op: 'phrase'; distance: number; left: TsQuery; right: TsQuery };

/** A document as matching reads it: each lexeme with its positions (a tsvector's `unnest`), in a Map or anything that answers the same. */
export type TsDocument = Pick<ReadonlyMap<string, readonly number[]>, 'get' | 'has'>;

/** What parseTsQuery makes of a query's text: the tree, `empty` (no lexeme: matches nothing), or `unsupported`. */
export type ParsedTsQuery = TsQuery | 'empty' | 'unsupported';

type Token = { kind: 'lexeme'; lexeme: string } | { kind: 'op'; op: '&' | '|' | '!' | '(' | ')' } | { kind: 'phrase'; distance: number };

class Unsupported extends Error {}

/**
 * A quoted lexeme as PostgreSQL prints one in a tsquery or a tsvector, from the quote at `start`: ''
 * stands for a quote, and a backslash escapes the next character. `end` is just past the closing
 * quote; undefined when there is none.
 */
export function readQuotedLexeme(text: string, start: number): { lexeme: string; end: number } | undefined {
  let lexeme = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return undefined;
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) return undefined;
      lexeme += text[i + 1];
      i += 2;
    } else if (c === "'") {
      if (text[i + 1] !== "'") return { lexeme, end: i + 1 };
      lexeme += "'";
      i += 2;
    } else {
      lexeme += c;
      i += 1;
    }
  }
}

function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === ' ') {
      i += 1;
    } else if (char === "'") {
      const read = readQuotedLexeme(text, i);
      if (!read) throw new Unsupported('unterminated lexeme');
      const { lexeme } = read;
      i = read.end;
      // A prefix (:*) or weights (:AB) after the lexeme.
      if (text[i] === ':') throw new Unsupported('prefix or weight');
      tokens.push({ kind: 'lexeme', lexeme });
    } else if (char === '<') {
      const match = /^<(-|\d+)>/.exec(text.slice(i));
      if (!match) throw new Unsupported('operator');
      tokens.push({ kind: 'phrase', distance: match[1] === '-' ? 1 : Number(match[1]) });
      i += match[0].length;
    } else if (char === '&' || char === '|' || char === '!' || char === '(' || char === ')') {
      tokens.push({ kind: 'op', op: char });
      i += 1;
    } else {
      throw new Unsupported(`character ${char}`);
    }
  }
  return tokens;
}

/**
 * Reads a tsquery's text (as PostgreSQL prints it: `'product' & 'manag'`, `!( 'data' <-> 'scienc' )`).
 * Precedence as PostgreSQL's: `!` binds tightest, then `<->`, `&`, `|`; binary operators group from
 * the left.
 */
export function parseTsQuery(text: string): ParsedTsQuery {
  let tokens: Token[];
  try {
    tokens = tokenise(text);
  } catch (error) {
    if (error instanceof Unsupported) return 'unsupported';
    throw error;
  }
  if (tokens.length === 0) return 'empty';
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (op: string) => peek()?.kind === 'op' && (peek() as { op: string }).op === op;

  const primary = (): TsQuery => {
    const token = tokens[at++];
    if (!token) throw new Unsupported('end of query');
    if (token.kind === 'lexeme') return { op: 'lexeme', lexeme: token.lexeme };
    if (token.kind === 'op' && token.op === '!') return { op: 'not', arg: primary() };
    if (token.kind === 'op' && token.op === '(') {
      const inner = or();
      if (!isOp(')')) throw new Unsupported('unbalanced parenthesis');
      at += 1;
      return inner;
    }
    throw new Unsupported('unexpected token');
  };
  const phrase = (): TsQuery => {
    let left = primary();
    while (peek()?.kind === 'phrase') {
      const { distance } = tokens[at++] as { distance: number };
      left = { op: 'phrase', distance, left, right: primary() };
    }
    return left;
  };
  // & and |: left to right, each over the operator that binds tighter.
  const leftToRight = (token: '&' | '|', op: 'and' | 'or', operand: () => TsQuery) => (): TsQuery => {
    let left = operand();
    while (isOp(token)) {
      at += 1;
      left = { op, left, right: operand() };
    }
    return left;
  };
  const and = leftToRight('&', 'and', phrase);
  const or = leftToRight('|', 'or', and);

  try {
    const query = or();
    if (at !== tokens.length) throw new Unsupported('trailing tokens');
    if (!phrasesOfLexemesOnly(query, false)) throw new Unsupported('an operator inside a phrase');
    return query;
  } catch (error) {
    if (error instanceof Unsupported) return 'unsupported';
    throw error;
  }
}

/** Whether every phrase holds only lexemes and phrases (PostgreSQL's rules for `!`, `&` and `|` inside one are not reproduced). */
function phrasesOfLexemesOnly(query: TsQuery, inPhrase: boolean): boolean {
  switch (query.op) {
    case 'lexeme':
      return true;
    case 'phrase':
      return phrasesOfLexemesOnly(query.left, true) && phrasesOfLexemesOnly(query.right, true);
    case 'not':
      return !inPhrase && phrasesOfLexemesOnly(query.arg, false);
    default:
      return !inPhrase && phrasesOfLexemesOnly(query.left, false) && phrasesOfLexemesOnly(query.right, false);
  }
}

/** Where a phrase (or a lexeme) occurs: the position of its last lexeme, and how far back its first one is. */
type Occurrence = { end: number; width: number };

function occurrences(query: TsQuery, document: TsDocument): Occurrence[] {
  if (query.op === 'lexeme') return (document.get(query.lexeme) ?? []).map((end) => ({ end, width: 0 }));
  if (query.op !== 'phrase') throw new Error('only lexemes and phrases have positions');
  const left = occurrences(query.left, document);
  if (left.length === 0) return [];
  const right = occurrences(query.right, document);
  const found: Occurrence[] = [];
  // PostgreSQL's rule: the right part starts `distance` positions after the left part ends.
  for (const r of right) {
    if (left.some((l) => l.end + query.distance === r.end - r.width)) found.push({ end: r.end, width: left[0]!.width + query.distance + r.width });
  }
  return found;
}

/** Every lexeme a query names, those under `!` included, in the order written (repeats kept). */
export function lexemesOf(query: TsQuery, into: string[] = []): string[] {
  if (query.op === 'lexeme') into.push(query.lexeme);
  else if (query.op === 'not') lexemesOf(query.arg, into);
  else {
    lexemesOf(query.left, into);
    lexemesOf(query.right, into);
  }
  return into;
}

/** `document @@ query`, as PostgreSQL answers it for a document whose lexemes all carry positions. */
export function matchesTsQuery(query: TsQuery, document: TsDocument): boolean {
  switch (query.op) {
    case 'lexeme':
      return document.has(query.lexeme);
    case 'not':
      return !matchesTsQuery(query.arg, document);
    case 'and':
      return matchesTsQuery(query.left, document) && matchesTsQuery(query.right, document);
    case 'or':
      return matchesTsQuery(query.left, document) || matchesTsQuery(query.right, document);
    case 'phrase':
      return occurrences(query, document).length > 0;
  }
}
