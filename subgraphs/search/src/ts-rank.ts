import { Buffer } from 'node:buffer';
import { lexemesOf, type TsQuery } from './tsquery.js';

/**
 * PostgreSQL's `ts_rank(vector, query)` (default weights, normalization 0; tsrank.c, the same from 9.6
 * to 18, and the test compares with the running server) and the text of
 * `round(rank::numeric, 6)`, computed in Node with the same result to the last bit: ranking moves out
 * of the database, and the score a client sees and the cursor it pages with must not change.
 *
 * tsrank.c computes in C `float` at some steps and `double` at others; each `Math.fround` below sits
 * where C stores or computes a float, and the plain arithmetic between them is C's double arithmetic.
 * A float operation (+, -, *, /, sqrt) done in double and then rounded to float gives the float
 * result, since a double holds more than twice a float's precision.
 */

/** A query prepared for ranking many documents. */
export type RankTerms = {
  /**
   * The query's distinct lexemes, those under `!` included, in PostgreSQL's order (its
   * SortAndUniqItems): byte order of the UTF-8, a prefix first. The ranks sum floats in this order,
   * so another order can change the last bit.
   */
  readonly lexemes: readonly string[];
  /**
   * calc_rank's choice: `and` (word proximity) when the top operator is `&` or `<->` and there are
   * two lexemes or more, `or` (occurrence counts) otherwise, as calc_rank_and hands a single lexeme
   * to calc_rank_or.
   */
  readonly method: 'and' | 'or';
};

/** `default_weights` for D, C, B, A: a position's weight is its top two bits. */
const WEIGHTS = Float32Array.of(0.1, 0.2, 0.4, 1.0);
const POSITION_MASK = 0x3fff;
/** MAXENTRYPOS: the distance calc_rank_and uses for two lexemes without positions. */
const MAX_ENTRY_POS = 1 << 14;
/** word_distance's cut-off: farther apart, two lexemes weigh 1e-30f. */
const MAX_WORD_DISTANCE = 100;
const DISTANCE_SLOTS = MAX_WORD_DISTANCE + 2;

/**
 * word_distance(1..100) as float4. `exp` is the one libm call, and V8's may differ from glibc's in
 * the last bit of the double; the test holds this table to PostgreSQL's own values.
 */
const WORD_DISTANCE = new Float32Array(MAX_WORD_DISTANCE + 1);
for (let distance = 1; distance <= MAX_WORD_DISTANCE; distance++) {
  WORD_DISTANCE[distance] = 1.0 / (1.005 + 0.05 * Math.exp(Math.fround(distance) / 1.5 - 2));
}

/** PostgreSQL's word_distance(distance) as float4 (distance ≥ 1). */
export function wordDistance(distance: number): number {
  return distance > MAX_WORD_DISTANCE ? Math.fround(1e-30) : WORD_DISTANCE[distance]!;
}

/**
 * calc_rank_and's `curw = sqrt(wpos(a) * wpos(b) * word_distance(dist))` for every pair of weights
 * and every distance (slot 101 for any distance beyond 100): 1,632 floats, so the inner loop of a
 * document with hundreds of positions per lexeme is a lookup.
 */
const PAIR_WEIGHT = new Float64Array(16 * DISTANCE_SLOTS);
for (let a = 0; a < 4; a++) {
  for (let b = 0; b < 4; b++) {
    const weights = Math.fround(WEIGHTS[a]! * WEIGHTS[b]!);
    for (let slot = 1; slot < DISTANCE_SLOTS; slot++) {
      PAIR_WEIGHT[((a << 2) | b) * DISTANCE_SLOTS + slot] = Math.fround(Math.sqrt(Math.fround(weights * wordDistance(slot))));
    }
  }
}

/**
 * What PostgreSQL reads for a lexeme stored without positions (a stripped vector): one position of
 * weight D, at 0 in calc_rank_or and at MAXENTRYPOS - 1 in calc_rank_and.
 */
const OR_NO_POSITIONS = Uint16Array.of(0);
const AND_NO_POSITIONS = Uint16Array.of(MAX_ENTRY_POS - 1);

/** calc_rank_and's per-lexeme positions, reused across calls (tsRank runs for every document of a search). */
const andPositions: (ArrayLike<number> | undefined)[] = [];

/** Prepares a query (a tree from parseTsQuery) for tsRank. */
export function rankTerms(query: TsQuery): RankTerms {
  const operands = lexemesOf(query);
  // tsCompareString without prefix matching is memcmp over the shorter length, then the shorter
  // first: Buffer.compare. JS string order differs from it once characters outside the BMP appear.
  const sorted = operands.map((lexeme) => ({ lexeme, bytes: Buffer.from(lexeme, 'utf8') })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const lexemes = sorted.filter((item, i) => i === 0 || !item.bytes.equals(sorted[i - 1]!.bytes)).map((item) => item.lexeme);
  const method = (query.op === 'and' || query.op === 'phrase') && lexemes.length >= 2 ? 'and' : 'or';
  return { lexemes, method };
}

/**
 * `ts_rank(vector, query)` as the float4 PostgreSQL returns (a number that is exactly a float32).
 * `positionsOf(lexeme)` gives the document's positions of a lexeme as the tsvector stores them:
 * 16-bit values `(weight << 14) | position` (weight 3 = A … 0 = D), ascending; undefined when the
 * document lacks it, and an empty list for a lexeme stored without positions.
 *
 * PostgreSQL answers 0 for a document with no lexemes at all, before it looks at the query; this
 * function sees only the query's lexemes, so the caller gives such a document 0 itself (for an `and`
 * query this function would answer 1e-20, which prints as 0.000000 too). An empty query ranks 0.
 */
export function tsRank(terms: RankTerms, positionsOf: (lexeme: string) => ArrayLike<number> | undefined): number {
  const res = terms.method === 'and' ? rankAnd(terms.lexemes, positionsOf) : rankOr(terms.lexemes, positionsOf);
  // calc_rank: an `and` query none of whose lexeme pairs occurs (res is still -1) ranks just above 0.
  return res < 0 ? Math.fround(1e-20) : res;
}

/** calc_rank_and: every pair of positions of two different lexemes, weighted by their distance. */
function rankAnd(lexemes: readonly string[], positionsOf: (lexeme: string) => ArrayLike<number> | undefined): number {
  let res = -1;
  for (let i = 0; i < lexemes.length; i++) {
    let post = positionsOf(lexemes[i]!);
    andPositions[i] = undefined;
    if (post === undefined) continue;
    if (post.length === 0) post = AND_NO_POSITIONS;
    andPositions[i] = post;
    for (let k = 0; k < i; k++) {
      const ct = andPositions[k];
      if (ct === undefined) continue;
      // Two positions at the same place count only when one lexeme has no positions (PostgreSQL
      // compares with its placeholder), and then as far apart as possible.
      const samePlaceCounts = post === AND_NO_POSITIONS || ct === AND_NO_POSITIONS;
      for (let l = 0; l < post.length; l++) {
        const at = post[l]!;
        const position = at & POSITION_MASK;
        const row = ((at >> 14) & 3) << 2;
        for (let p = 0; p < ct.length; p++) {
          const other = ct[p]!;
          let dist = Math.abs(position - (other & POSITION_MASK));
          if (dist === 0) {
            if (!samePlaceCounts) continue;
            dist = MAX_ENTRY_POS;
          }
          const curw = PAIR_WEIGHT[(row | ((other >> 14) & 3)) * DISTANCE_SLOTS + (dist > MAX_WORD_DISTANCE ? MAX_WORD_DISTANCE + 1 : dist)]!;
          res = res < 0 ? curw : Math.fround(1.0 - (1.0 - res) * (1.0 - curw));
        }
      }
    }
  }
  return res;
}

/** calc_rank_or: each lexeme's occurrences, the j-th weighing 1/j², averaged over the query's lexemes. */
function rankOr(lexemes: readonly string[], positionsOf: (lexeme: string) => ArrayLike<number> | undefined): number {
  let res = 0;
  for (let i = 0; i < lexemes.length; i++) {
    let post = positionsOf(lexemes[i]!);
    if (post === undefined) continue;
    if (post.length === 0) post = OR_NO_POSITIONS;
    let resj = 0;
    let wjm = -1;
    let jm = 0;
    for (let j = 0; j < post.length; j++) {
      const weight = WEIGHTS[(post[j]! >> 14) & 3]!;
      resj = Math.fround(resj + Math.fround(weight / ((j + 1) * (j + 1))));
      if (weight > wjm) {
        wjm = weight;
        jm = j;
      }
    }
    // (wjm + resj - wjm / (jm+1)²) is float arithmetic; dividing by the double constant is not.
    const occurrences = Math.fround(Math.fround(wjm + resj) - Math.fround(wjm / ((jm + 1) * (jm + 1))));
    res = Math.fround(res + occurrences / 1.64493406685);
  }
  return lexemes.length > 0 ? Math.fround(res / lexemes.length) : res;
}

const doubleView = new DataView(new ArrayBuffer(8));
/** Whether a double is exactly `digits` × 10^exponent10, compared as integers (its bits give mantissa × 2^exponent). */
function isExactly(value: number, digits: string, exponent10: number): boolean {
  doubleView.setFloat64(0, value);
  const high = doubleView.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(doubleView.getUint32(4));
  let exponent2 = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exponent2 = biased - 1075;
  }
  const decimal = BigInt(digits);
  const left = mantissa * 2n ** BigInt(Math.max(exponent2, 0)) * 10n ** BigInt(Math.max(-exponent10, 0));
  const right = decimal * 10n ** BigInt(Math.max(exponent10, 0)) * 2n ** BigInt(Math.max(-exponent2, 0));
  return left === right;
}

/**
 * `printf("%.6g")`'s six significant digits of a positive number, and the power of ten of the first.
 * toExponential rounds the exact binary value too, but a tie upwards, where glibc rounds it to even:
 * a tie is a value whose exact decimal has seven digits ending in 5, rare and checked exactly.
 */
function sixSignificantDigits(value: number): { digits: string; exponent: number } {
  const seven = value.toExponential(6);
  const exponent7 = Number(seven.slice(seven.indexOf('e') + 1));
  const digits7 = seven[0]! + seven.slice(2, 8);
  if (digits7[6] === '5' && Number(digits7[5]) % 2 === 0 && isExactly(value, digits7, exponent7 - 6)) {
    return { digits: digits7.slice(0, 6), exponent: exponent7 };
  }
  const six = value.toExponential(5);
  return { digits: six[0]! + six.slice(2, 7), exponent: Number(six.slice(six.indexOf('e') + 1)) };
}

/**
 * What `round(rank::numeric, 6)::text` prints for a float4: float4_numeric reads the float through
 * `%.6g` (six significant digits, FLT_DIG), then round() rounds those decimal digits half away from
 * zero to six places. Done on the digits, as a float never holds the decimal value exactly.
 */
export function scoreText(rank: number): string {
  if (Number.isNaN(rank)) return 'NaN';
  if (!Number.isFinite(rank)) return rank > 0 ? 'Infinity' : '-Infinity';
  if (rank === 0) return '0.000000';
  const { digits, exponent } = sixSignificantDigits(Math.abs(rank));
  const sign = rank < 0 ? '-' : '';
  const integerDigits = exponent + 1;
  if (integerDigits >= 6) return `${sign}${digits}${'0'.repeat(integerDigits - 6)}.000000`;
  if (integerDigits > 0) return `${sign}${digits.slice(0, integerDigits)}.${digits.slice(integerDigits).padEnd(6, '0')}`;
  const fraction = '0'.repeat(-integerDigits) + digits;
  let millionths = Number(fraction.slice(0, 6));
  if (fraction.length > 6 && fraction[6]! >= '5') millionths += 1;
  // numeric has no negative zero.
  if (millionths === 0) return '0.000000';
  if (millionths === 1_000_000) return `${sign}1.000000`;
  return `${sign}0.${String(millionths).padStart(6, '0')}`;
}
