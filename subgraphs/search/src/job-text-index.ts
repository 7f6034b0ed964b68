import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import type { LeanSql, PartSpec } from '@jobplatform/service-runtime';
import { OLDEST_RUNNING_XID } from './db.js';
import { lexemesOf, matchesTsQuery, readQuotedLexeme, type TsDocument, type TsQuery } from './tsquery.js';
import { rankTerms, scoreText, tsRank, type RankTerms } from './ts-rank.js';

/**
 * The open jobs of search_indexes, held in this process's memory for searchJobs: each job's
 * lexemes with their positions and weights (its search_vector), its filter and sort columns, and a
 * list of jobs per lexeme. A search finds the jobs its query matches from those lists (exactly as
 * PostgreSQL's `@@` would: tsquery.ts), ranks them as `ts_rank` does (ts-rank.ts), and counts the
 * page, the total and the facets in one pass; PostgreSQL then only turns the query's words into
 * lexemes before and writes the page's rows and highlights after (job-search.ts). In PostgreSQL,
 * a search of common words reads tens of thousands of rows, one at a time, for every request.
 *
 * Staying current, as the saved-search matcher does: before each search (and every second in the
 * service) the index reads the rows written since it last looked, in one statement: rows of
 * search_indexes whose changed_xid is at or after its watermark, the oldest transaction still
 * running when it last read. A closed job's row says so (is_active false) and leaves the index. A
 * DELETE or TRUNCATE of the table (search_index_generation) or a new table (the rebuild's swap, a
 * new oid) makes it load everything again, in the background; searches meanwhile go to PostgreSQL.
 */

/** Pages of the load, by entity id. */
const LOAD_PAGE = 10_000;
/** How often a running service's index reads what changed, besides before each search. */
const LOOK_EVERY_MS = 1_000;
/** Replaced jobs leave their old slot behind; past this many (and past the live ones), the index loads again. */
const MIN_DEAD_SLOTS_TO_RELOAD = 50_000;

const JOB_TYPES = ['full_time', 'part_time', 'contract', 'internship', 'freelance'] as const;
const LEVELS = ['entry', 'mid', 'senior', 'executive'] as const;

/** The edition of the table: a new oid (the rebuild's swap) or generation (a DELETE or TRUNCATE) is a new table to load. */
const EDITION = `('search_indexes'::regclass::oid::text || ':' || (SELECT generation FROM search_index_generation WHERE id = 1))`;

/** A job's columns as the index reads them. */
const JOB_COLUMNS = `j.entity_id::text AS id, j.is_active AS active, j.job_type AS "jobType", j.experience_level AS "experienceLevel", j.is_remote AS "isRemote",
  j.location, j.location_folded AS "locationFolded", j.category_ids::text[] AS "categoryIds", j.skill_ids::text[] AS "skillIds", j.company_id::text AS "companyId",
  j.salary_min::text AS "salaryMin", j.salary_max::text AS "salaryMax", j.salary_currency AS "salaryCurrency",
  (extract(epoch FROM j.posted_at) * 1000)::float8 AS "postedAt", j.search_vector::text AS vector, j.changed_xid::text AS "changedXid"`;

type JobRow = {
  id: string;
  active: boolean;
  jobType: string | null;
  experienceLevel: string | null;
  isRemote: boolean | null;
  location: string | null;
  locationFolded: string | null;
  categoryIds: string[];
  skillIds: string[];
  companyId: string | null;
  salaryMin: string | null;
  salaryMax: string | null;
  salaryCurrency: string | null;
  postedAt: number;
  vector: string | null;
  changedXid: string;
};

const BEGIN_LOAD = `SELECT ${OLDEST_RUNNING_XID} AS watermark, ${EDITION} AS edition`;
const LOAD_PAGE_SQL = `SELECT ${JOB_COLUMNS} FROM search_indexes j WHERE j.entity_type = 'job' AND j.is_active AND j.entity_id > $1::bigint ORDER BY j.entity_id LIMIT ${LOAD_PAGE}`;
/** The watermark, the edition and the jobs' rows written at or after $1; one row with no job when none was. */
const CHANGES_SINCE = `SELECT w.watermark, w.edition, c.* FROM (SELECT ${OLDEST_RUNNING_XID} AS watermark, ${EDITION} AS edition) AS w
  LEFT JOIN LATERAL (SELECT ${JOB_COLUMNS} FROM search_indexes j WHERE j.changed_xid >= $1::xid8 AND j.entity_type = 'job') AS c ON true`;

/** A growable typed array: its first `length` elements are the list. */
class GrowableList<T extends Int32Array | Uint16Array> {
  data: T;
  length = 0;
  constructor(
    private readonly make: (size: number) => T,
    initialSize = 1024,
  ) {
    this.data = make(initialSize);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.ceil(this.data.length * 1.5) + 16);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
  /** Gives back the room beyond `length`, once a load has filled the list. */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length) as T;
  }
  get bytes(): number {
    return this.data.byteLength;
  }
}
const newInt32Array = (size: number) => new Int32Array(size);
const int32List = (initialSize?: number) => new GrowableList(newInt32Array, initialSize);

/** PostgreSQL's weights in a position (WordEntryPos): A 3, B 2, C 1, D 0, above 14 bits of position. */
const WEIGHT_BITS: Record<string, number> = { A: 3, B: 2, C: 1, D: 0 };
const POSITION_MASK = 0x3fff;

/**
 * A tsvector's text (`'develop':3A,7 'rust':1A 'o''reilli':9B`): its lexemes, each with its packed
 * positions. Lexemes are quoted, a quote doubled and a backslash escaping the next character; D
 * weights are not written; a lexeme may have no positions.
 */
export function parseTsVector(text: string): { lexeme: string; positions: number[] }[] {
  const entries: { lexeme: string; positions: number[] }[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i += 1;
      continue;
    }
    const read = text[i] === "'" ? readQuotedLexeme(text, i) : undefined;
    if (!read) throw new Error(`not a tsvector's lexeme at ${i}`);
    const { lexeme } = read;
    i = read.end;
    const positions: number[] = [];
    if (text[i] === ':') {
      i += 1;
      for (;;) {
        let position = 0;
        while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) position = position * 10 + text.charCodeAt(i++) - 48;
        let weight = 0;
        const letter = text[i];
        if (letter !== undefined && letter in WEIGHT_BITS) {
          weight = WEIGHT_BITS[letter]!;
          i += 1;
        }
        positions.push((weight << 14) | position);
        if (text[i] !== ',') break;
        i += 1;
      }
    }
    entries.push({ lexeme, positions });
  }
  return entries;
}

/** An id as the index holds it: a number, for ids PostgreSQL's bigint gives within 2^53. */
const idNumber = (text: string): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`id ${text} is beyond what the in-memory job index holds`);
  return value;
};
const numberOrNaN = (text: string | null) => (text === null ? Number.NaN : Number(text));

/** What a search's filters are, resolved: the location folded and the categories with their sub-categories (by PostgreSQL). */
export type IndexFilter = {
  companyIds: readonly number[];
  salaryCurrency: string | undefined;
  /** Jobs posted at or after this instant (ms), for postedWithinDays. */
  postedSince: number | undefined;
  jobTypes: readonly string[];
  experienceLevels: readonly string[];
  isRemote: boolean | undefined;
  /** search_fold(location). */
  locationFolded: string | undefined;
  /** The filter's categories and every category below them; undefined: no category filter. */
  categoryIds: readonly number[] | undefined;
  skillIds: readonly number[];
  salaryMin: number | undefined;
  salaryMax: number | undefined;
};

export type IndexSort = 'RELEVANCE' | 'NEWEST' | 'SALARY_HIGH' | 'SALARY_LOW';

export type IndexSearch = {
  /** The query's tsquery, parsed; null: every job (no query). */
  query: TsQuery | null;
  filter: IndexFilter;
  /** The order (RELEVANCE only with a query). */
  sort: IndexSort;
  /** The last row of the page before: its sort key as the cursor wrote it, and its id. */
  after: { key: string; id: number } | undefined;
  size: number;
  withFacets: boolean;
  /** Facet lengths, as the statement's LIMITs. */
  facetLimits: { category: number; skill: number; location: number };
  salaryBands: readonly number[];
};

/** A facet's count as the SQL path's statement returns it (job-search.ts makes both the GraphQL shape). */
export type IndexFacetRow = { facet: string; value: string; label: string; count: number };

export type IndexHit = { id: string; score: number; sortKey: string };
export type IndexResult = { total: number; hits: IndexHit[]; hasNextPage: boolean; facets: IndexFacetRow[] | undefined };

/** The facet filters, each a bit of a job's "fails" mask: a job failing one counts in that facet only, failing two in none. */
const FACETS = ['jobType', 'experienceLevel', 'isRemote', 'location', 'category', 'skill', 'salary'] as const;
const BIT = Object.fromEntries(FACETS.map((facet, i) => [facet, 1 << i])) as Record<(typeof FACETS)[number], number>;

/** Code-point order, as PostgreSQL's "C" collation compares UTF-8 text. */
const compareCodePoints = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
};

/** One load of the table: the jobs, their lexemes and the lists of jobs per lexeme. Replaced whole by the next load. */
class IndexState {
  readonly edition: string;
  watermark: string;
  /** The slot of each open job, by entity id. */
  readonly slotOf = new Map<number, number>();
  // Per slot. A replaced or closed job's slot stays, marked dead, until the next load.
  readonly alive: boolean[] = [];
  readonly ids: number[] = [];
  /** The changed_xid of the row each slot holds: a row read again unchanged (a look while an old transaction runs) is skipped. */
  readonly changedXid: string[] = [];
  readonly jobType: number[] = [];
  readonly level: number[] = [];
  /** 1 remote, 0 on site, -1 unknown. */
  readonly remote: number[] = [];
  /** The location's code (locations), -1 for none. */
  readonly location: number[] = [];
  readonly locationFolded: (string | null)[] = [];
  /** Codes of the job's categories and skills (categoryCodes, skillCodes). */
  readonly categories: number[][] = [];
  readonly skills: number[][] = [];
  /** Categories, skills and locations by a dense code, so that a search counts them in arrays. */
  readonly categoryCodes = new Codes<number>();
  readonly skillCodes = new Codes<number>();
  readonly locations = new Codes<string>();
  readonly companyId: number[] = [];
  readonly currency: (string | null)[] = [];
  readonly postedAt: number[] = [];
  /** coalesce(salary_max, salary_min): the pay the salary facet and SALARY_HIGH read, NaN for none. */
  readonly payHigh: number[] = [];
  /** coalesce(salary_min, salary_max), NaN for none. */
  readonly payLow: number[] = [];
  readonly payHighText: (string | null)[] = [];
  readonly payLowText: (string | null)[] = [];
  /** The slot's lexemes: entries termStart[slot] up to termEnd[slot] of termLexeme (sorted by lexeme id) and termPositionStart. */
  readonly termStart: number[] = [];
  readonly termEnd: number[] = [];
  readonly termLexeme = int32List();
  /**
   * Where each entry's positions start in `positions`. Entries and their positions are appended in
   * the same order, so an entry's positions end where the next entry's start.
   */
  readonly termPositionStart = int32List();
  /** Positions with their weights, as a tsvector holds them. */
  readonly positions = new GrowableList((size) => new Uint16Array(size));
  /** Lexeme ids and, per lexeme id, the slots whose document has it (ascending). */
  readonly lexemeIds = new Map<string, number>();
  readonly postings: GrowableList<Int32Array>[] = [];
  deadSlots = 0;
  /** One copy of each text many jobs share (locations, currencies, salaries). */
  private readonly texts = new Map<string, string>();

  constructor(edition: string, watermark: string) {
    this.edition = edition;
    this.watermark = watermark;
  }

  get size(): number {
    return this.slotOf.size;
  }

  private lexemeId(lexeme: string): number {
    let id = this.lexemeIds.get(lexeme);
    if (id === undefined) {
      id = this.postings.length;
      this.lexemeIds.set(lexeme, id);
      this.postings.push(int32List(16));
    }
    return id;
  }

  private shared(text: string | null): string | null {
    if (text === null) return null;
    const held = this.texts.get(text);
    if (held !== undefined) return held;
    this.texts.set(text, text);
    return text;
  }

  /** Gives back the lists' spare room once a load has filled them. */
  trim(): void {
    for (const list of [this.termLexeme, this.termPositionStart, this.positions, ...this.postings]) list.trim();
  }

  /** The bytes the typed arrays hold: lexemes and positions of every job, and the lists per lexeme. */
  get arrayBytes(): number {
    return [this.termLexeme, this.termPositionStart, this.positions, ...this.postings].reduce((sum, list) => sum + list.bytes, 0);
  }

  remove(entityId: number): void {
    const slot = this.slotOf.get(entityId);
    if (slot === undefined) return;
    this.slotOf.delete(entityId);
    this.alive[slot] = false;
    this.deadSlots += 1;
  }

  /** Puts a job's row in, replacing what the index held for it; a closed job's row takes it out. */
  put(row: JobRow): void {
    const entityId = idNumber(row.id);
    const held = this.slotOf.get(entityId);
    if (held !== undefined && this.changedXid[held] === row.changedXid) return;
    this.remove(entityId);
    if (!row.active) return;
    const slot = this.ids.length;
    this.slotOf.set(entityId, slot);
    this.alive.push(true);
    this.ids.push(entityId);
    this.changedXid.push(row.changedXid);
    this.jobType.push(row.jobType === null ? -1 : (JOB_TYPES as readonly string[]).indexOf(row.jobType));
    this.level.push(row.experienceLevel === null ? -1 : (LEVELS as readonly string[]).indexOf(row.experienceLevel));
    this.remote.push(row.isRemote === null ? -1 : row.isRemote ? 1 : 0);
    this.location.push(row.location === null ? -1 : this.locations.code(row.location));
    this.locationFolded.push(this.shared(row.locationFolded));
    this.categories.push((row.categoryIds ?? []).map((id) => this.categoryCodes.code(idNumber(id))));
    this.skills.push((row.skillIds ?? []).map((id) => this.skillCodes.code(idNumber(id))));
    this.companyId.push(row.companyId === null ? Number.NaN : idNumber(row.companyId));
    this.currency.push(this.shared(row.salaryCurrency));
    this.postedAt.push(row.postedAt);
    const highText = row.salaryMax ?? row.salaryMin;
    const lowText = row.salaryMin ?? row.salaryMax;
    this.payHigh.push(numberOrNaN(highText));
    this.payLow.push(numberOrNaN(lowText));
    this.payHighText.push(this.shared(highText));
    this.payLowText.push(this.shared(lowText));
    const entries = parseTsVector(row.vector ?? '')
      .map((entry) => ({ id: this.lexemeId(entry.lexeme), positions: entry.positions }))
      .sort((a, b) => a.id - b.id);
    this.termStart.push(this.termLexeme.length);
    for (const entry of entries) {
      this.termLexeme.push(entry.id);
      this.termPositionStart.push(this.positions.length);
      for (const position of entry.positions) this.positions.push(position);
      this.postings[entry.id]!.push(slot);
    }
    this.termEnd.push(this.termLexeme.length);
  }

  /** The entry of the slot's document for a lexeme id, or -1. */
  entryOf(slot: number, lexemeId: number): number {
    const lexemes = this.termLexeme.data;
    let low = this.termStart[slot]!;
    let high = this.termEnd[slot]! - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = lexemes[middle]!;
      if (found === lexemeId) return middle;
      if (found < lexemeId) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The slot's positions (packed, with weights) for a lexeme, or undefined. */
  positionsOf(slot: number, lexeme: string): Uint16Array | undefined {
    const id = this.lexemeIds.get(lexeme);
    if (id === undefined) return undefined;
    const entry = this.entryOf(slot, id);
    if (entry < 0) return undefined;
    return this.positionsAt(entry);
  }

  /** An entry's positions: from its start up to the next entry's. */
  private positionsAt(entry: number): Uint16Array {
    const starts = this.termPositionStart;
    return this.positions.data.subarray(starts.data[entry], entry + 1 < starts.length ? starts.data[entry + 1] : this.positions.length);
  }

  /** ts_rank of a slot's document for the query's terms: their lexeme ids looked up once, one closure for every slot. */
  rankerFor(terms: RankTerms): (slot: number) => number {
    const ids = new Map(terms.lexemes.map((lexeme) => [lexeme, this.lexemeIds.get(lexeme) ?? -1]));
    let current = 0;
    const positionsOf = (lexeme: string): Uint16Array | undefined => {
      const id = ids.get(lexeme)!;
      if (id < 0) return undefined;
      const entry = this.entryOf(current, id);
      if (entry < 0) return undefined;
      return this.positionsAt(entry);
    };
    return (slot) => {
      current = slot;
      return tsRank(terms, positionsOf);
    };
  }

  /** The slot's document as tsquery.ts tests phrases on it: positions without their weights. */
  documentOf(slot: number): TsDocument {
    const positionsOf = (lexeme: string) => {
      const packed = this.positionsOf(slot, lexeme);
      return packed === undefined ? undefined : Array.from(packed, (position) => position & POSITION_MASK);
    };
    return { get: positionsOf, has: (lexeme: string) => this.positionsOf(slot, lexeme) !== undefined };
  }
}

/** Dense codes for values: 0, 1, 2… in the order first seen. */
class Codes<K> {
  private readonly codes = new Map<K, number>();
  readonly values: K[] = [];
  code(value: K): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }
  /** A mask over the codes, set for the values given (values no job has are left out). */
  maskOf(values: readonly K[]): Uint8Array {
    const mask = new Uint8Array(this.values.length);
    for (const value of values) {
      const code = this.codes.get(value);
      if (code !== undefined) mask[code] = 1;
    }
    return mask;
  }
}

/** A set of slots (ascending), or everything but them. */
type SlotSet = { slots: Int32Array; negated: boolean };

const EMPTY = new Int32Array(0);

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[n++] = x;
      i += 1;
      j += 1;
    } else if (x < y) i += 1;
    else j += 1;
  }
  return out.subarray(0, n);
}

function unite(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) {
      out[n++] = x;
      i += 1;
      if (x === y) j += 1;
    } else {
      out[n++] = y;
      j += 1;
    }
  }
  return out.subarray(0, n);
}

/** a without b. */
function subtract(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length);
  let j = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j += 1;
    if (j >= b.length || b[j] !== x) out[n++] = x;
  }
  return out.subarray(0, n);
}

/** The slots whose document matches the query, exactly: from the lists per lexeme, a phrase tested on its candidates' positions. */
function slotsMatching(state: IndexState, query: TsQuery): SlotSet {
  switch (query.op) {
    case 'lexeme': {
      const id = state.lexemeIds.get(query.lexeme);
      return { slots: id === undefined ? EMPTY : state.postings[id]!.view(), negated: false };
    }
    case 'not': {
      const inner = slotsMatching(state, query.arg);
      return { slots: inner.slots, negated: !inner.negated };
    }
    case 'and': {
      const left = slotsMatching(state, query.left);
      const right = slotsMatching(state, query.right);
      if (!left.negated && !right.negated) return { slots: intersect(left.slots, right.slots), negated: false };
      if (!left.negated) return { slots: subtract(left.slots, right.slots), negated: false };
      if (!right.negated) return { slots: subtract(right.slots, left.slots), negated: false };
      return { slots: unite(left.slots, right.slots), negated: true };
    }
    case 'or': {
      const left = slotsMatching(state, query.left);
      const right = slotsMatching(state, query.right);
      if (!left.negated && !right.negated) return { slots: unite(left.slots, right.slots), negated: false };
      if (!left.negated) return { slots: subtract(right.slots, left.slots), negated: true };
      if (!right.negated) return { slots: subtract(left.slots, right.slots), negated: true };
      return { slots: intersect(left.slots, right.slots), negated: true };
    }
    case 'phrase': {
      // Every lexeme of the phrase is in a matching document; its positions decide.
      let candidates: Int32Array | undefined;
      for (const lexeme of lexemesOf(query)) {
        const id = state.lexemeIds.get(lexeme);
        if (id === undefined) return { slots: EMPTY, negated: false };
        const slots = state.postings[id]!.view();
        candidates = candidates === undefined ? slots : intersect(candidates, slots);
      }
      const found = new Int32Array(candidates!.length);
      let n = 0;
      for (const slot of candidates!) if (matchesTsQuery(query, state.documentOf(slot))) found[n++] = slot;
      return { slots: found.subarray(0, n), negated: false };
    }
  }
}

/**
 * A sort key's value from its decimal text (a score with 6 decimals, a salary with 2): the nearest
 * double, the same for equal texts, so that keys of one order, which all come from such texts,
 * compare as their decimals do.
 */
const keyValue = (text: string): number => Number(text);

/** Creates the index. It is empty until `load` (or the first `catchUp`) has read the table. */
export function createJobTextIndex({ sql, logger, registry }: { sql: LeanSql; logger?: Logger; registry?: Registry }) {
  let state: IndexState | undefined;
  if (registry) {
    new Gauge({
      name: 'search_job_index_loaded',
      help: 'Whether searchJobs is answered from the open jobs in memory (1), or from PostgreSQL while they load (0).',
      registers: [registry],
      collect() {
        this.set(state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'search_job_index_jobs',
      help: 'Open jobs held in memory for searchJobs.',
      registers: [registry],
      collect() {
        this.set(state?.size ?? 0);
      },
    });
  }
  let loading: Promise<void> | undefined;
  /** The look running, and the one that starts after it, which every caller arriving meanwhile shares. */
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const scoreKeys = new Map<number, string>();

  async function loadEverything(): Promise<void> {
    const started = Date.now();
    const [begin] = await sql.rows<{ watermark: string; edition: string }>(BEGIN_LOAD);
    const next = new IndexState(begin!.edition, begin!.watermark);
    let after = '0';
    for (;;) {
      const rows = await sql.rows<JobRow>(LOAD_PAGE_SQL, [after]);
      for (const row of rows) next.put(row);
      if (rows.length < LOAD_PAGE) break;
      after = rows.at(-1)!.id;
    }
    // Its watermark is from before the pages: the next look reads again what changed while they were read.
    state = next;
    next.trim();
    logger?.info(
      { jobs: next.size, lexemes: next.postings.length, entries: next.termLexeme.length, positions: next.positions.length, arrayBytes: next.arrayBytes, ms: Date.now() - started },
      'in-memory job index loaded the open jobs',
    );
  }

  /** Loads the table in the background, once at a time; searches go to PostgreSQL until it is done. */
  function reload(): Promise<void> {
    loading ??= loadEverything()
      .catch((error: unknown) => logger?.warn({ err: error }, 'in-memory job index: loading the jobs failed; searches go to PostgreSQL until a later look loads them'))
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  async function readChanges(): Promise<void> {
    const current = state;
    if (!current) return;
    const rows = await sql.rows<{ watermark: string; edition: string } & Partial<JobRow>>(CHANGES_SINCE, [current.watermark]);
    const { watermark, edition } = rows[0]!;
    if (edition !== current.edition) {
      if (state === current) state = undefined;
      void reload();
      return;
    }
    for (const row of rows) if (typeof row.id === 'string') current.put(row as JobRow);
    current.watermark = watermark;
    if (current.deadSlots > Math.max(MIN_DEAD_SLOTS_TO_RELOAD, current.size)) void reload();
  }

  /** A look that starts after the call: the index then holds what committed before it. Looks run one at a time. */
  function look(): Promise<void> {
    const start = () => {
      running = readChanges().finally(() => {
        running = undefined;
      });
      return running;
    };
    if (!running) return start();
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  }

  function scoreKeyOf(rank: number): string {
    let key = scoreKeys.get(rank);
    if (key === undefined) {
      if (scoreKeys.size > 100_000) scoreKeys.clear();
      key = scoreText(rank);
      scoreKeys.set(rank, key);
    }
    return key;
  }

  return {
    /** Loads every open job (the service's start, and after a new table), in the background of searches. */
    load: () => reload(),

    /**
     * Reads what changed since the last look (the first one loads everything). True when the index
     * then holds every job committed before the call; false while it has not loaded, when searches
     * go to PostgreSQL.
     */
    async catchUp(): Promise<boolean> {
      if (!state) {
        void reload();
        return false;
      }
      await look();
      return state !== undefined;
    },

    /** Slots left behind by replaced and closed jobs since the last load (a load follows once they outnumber the open jobs). */
    get deadSlots(): number | undefined {
      return state?.deadSlots;
    },

    /** How many open jobs the index holds; undefined before it has loaded. */
    get size(): number | undefined {
      return state?.size;
    },

    /**
     * A search over what the index holds (call catchUp first); undefined when it has not loaded. The
     * page's rows come back as ids with their score and sort key, for the caller to read their fields
     * and highlights.
     */
    search(request: IndexSearch): IndexResult | undefined {
      return state ? searchState(state, request, scoreKeyOf) : undefined;
    },
  };
}

export type JobTextIndex = ReturnType<typeof createJobTextIndex>;

/** The search itself, over one state: the matching slots, then one pass for the page, the total and the facets. */
function searchState(state: IndexState, request: IndexSearch, scoreKeyOf: (rank: number) => string): IndexResult {
  const { filter, sort, size } = request;
  const matching: SlotSet = request.query === null ? { slots: EMPTY, negated: true } : slotsMatching(state, request.query);
  const terms: RankTerms | undefined = request.query === null ? undefined : rankTerms(request.query);
  const rankOf = terms === undefined ? undefined : state.rankerFor(terms);

  const jobTypes = filter.jobTypes.length > 0 ? new Set(filter.jobTypes.map((type) => (JOB_TYPES as readonly string[]).indexOf(type))) : undefined;
  const levels = filter.experienceLevels.length > 0 ? new Set(filter.experienceLevels.map((level) => (LEVELS as readonly string[]).indexOf(level))) : undefined;
  const remote = filter.isRemote === undefined ? undefined : filter.isRemote ? 1 : 0;
  const categories = filter.categoryIds === undefined ? undefined : state.categoryCodes.maskOf(filter.categoryIds);
  const skills = filter.skillIds.length > 0 ? state.skillCodes.maskOf(filter.skillIds) : undefined;
  const companies = filter.companyIds.length > 0 ? new Set(filter.companyIds) : undefined;
  const hasAny = (codes: readonly number[], wanted: Uint8Array) => {
    for (const code of codes) if (wanted[code] === 1) return true;
    return false;
  };

  // The page: the best size + 1 rows after the cursor, in order (key, then id, both in the sort's direction).
  const descending = sort !== 'SALARY_LOW';
  const pageSlots: number[] = [];
  const pageKeys: number[] = [];
  const pageKeyTexts: string[] = [];
  const pageRanks: number[] = [];
  const limit = size + 1;
  const after = request.after === undefined ? undefined : { key: sort === 'NEWEST' ? Date.parse(request.after.key) : keyValue(request.after.key), id: request.after.id };
  /** Whether (key, id) comes before (otherKey, otherId) in the sort's order. */
  const before = (key: number, id: number, otherKey: number, otherId: number) =>
    descending ? key > otherKey || (key === otherKey && id > otherId) : key < otherKey || (key === otherKey && id < otherId);

  // Each facet's counts by code (remote: 0 on site, 1 remote; salary: the band).
  const bands = request.salaryBands;
  const counts = {
    jobType: new Int32Array(JOB_TYPES.length),
    experienceLevel: new Int32Array(LEVELS.length),
    isRemote: new Int32Array(2),
    location: new Int32Array(state.locations.values.length),
    category: new Int32Array(state.categoryCodes.values.length),
    skill: new Int32Array(state.skillCodes.values.length),
    salary: new Int32Array(bands.length + 1),
  };
  let total = 0;

  const visit = (slot: number) => {
    if (!state.alive[slot]) return;
    if (companies && !companies.has(state.companyId[slot]!)) return;
    if (filter.salaryCurrency !== undefined && state.currency[slot] !== filter.salaryCurrency) return;
    if (filter.postedSince !== undefined && !(state.postedAt[slot]! >= filter.postedSince)) return;
    let fails = 0;
    if (jobTypes && !jobTypes.has(state.jobType[slot]!)) fails |= BIT.jobType;
    if (levels && !levels.has(state.level[slot]!)) fails |= BIT.experienceLevel;
    if (remote !== undefined && state.remote[slot] !== remote) fails |= BIT.isRemote;
    if (filter.locationFolded !== undefined) {
      const folded = state.locationFolded[slot];
      if (folded === null || folded === undefined || !folded.includes(filter.locationFolded)) fails |= BIT.location;
    }
    if (categories && !hasAny(state.categories[slot]!, categories)) fails |= BIT.category;
    if (skills && !hasAny(state.skills[slot]!, skills)) fails |= BIT.skill;
    if (filter.salaryMin !== undefined && !(state.payHigh[slot]! >= filter.salaryMin)) fails |= BIT.salary;
    if (filter.salaryMax !== undefined && !(state.payLow[slot]! <= filter.salaryMax)) fails |= BIT.salary;
    // A row failing two filters counts nowhere; one failing one counts in that facet only.
    if (fails !== 0 && (fails & (fails - 1)) !== 0) return;

    if (request.withFacets) {
      // A job always has a type, a level and a remote flag (CHECKs of the migrations).
      if ((fails & ~BIT.jobType) === 0) counts.jobType[state.jobType[slot]!]! += 1;
      if ((fails & ~BIT.experienceLevel) === 0) counts.experienceLevel[state.level[slot]!]! += 1;
      if ((fails & ~BIT.isRemote) === 0) counts.isRemote[state.remote[slot]!]! += 1;
      if ((fails & ~BIT.location) === 0 && state.location[slot]! >= 0) counts.location[state.location[slot]!]! += 1;
      if ((fails & ~BIT.category) === 0) for (const code of state.categories[slot]!) counts.category[code]! += 1;
      if ((fails & ~BIT.skill) === 0) for (const code of state.skills[slot]!) counts.skill[code]! += 1;
      if ((fails & ~BIT.salary) === 0) {
        const pay = state.payHigh[slot]!;
        if (!Number.isNaN(pay)) {
          // width_bucket(pay, bands): how many bands' lower bounds are at or below it.
          let band = 0;
          while (band < bands.length && bands[band]! <= pay) band += 1;
          counts.salary[band]! += 1;
        }
      }
    }
    if (fails !== 0) return;
    total += 1;

    // The row's sort key, then whether it belongs on the page.
    let rank = 0;
    let key: number;
    let keyText: string | undefined;
    const id = state.ids[slot]!;
    if (sort === 'RELEVANCE') {
      rank = rankOf!(slot);
      keyText = scoreKeyOf(rank);
      key = keyValue(keyText);
    } else if (sort === 'NEWEST') key = state.postedAt[slot]!;
    else if (sort === 'SALARY_HIGH') key = Number.isNaN(state.payHigh[slot]!) ? -1 : state.payHigh[slot]!;
    else key = Number.isNaN(state.payLow[slot]!) ? 1_000_000_000 : state.payLow[slot]!;
    if (after && !before(after.key, after.id, key, id)) return;
    const count = pageSlots.length;
    if (count === limit && !before(key, id, pageKeys[count - 1]!, state.ids[pageSlots[count - 1]!]!)) return;
    let at = count === limit ? count - 1 : count;
    while (at > 0 && before(key, id, pageKeys[at - 1]!, state.ids[pageSlots[at - 1]!]!)) at -= 1;
    pageSlots.splice(at, 0, slot);
    pageKeys.splice(at, 0, key);
    pageKeyTexts.splice(at, 0, keyText ?? '');
    pageRanks.splice(at, 0, rank);
    if (pageSlots.length > limit) {
      pageSlots.pop();
      pageKeys.pop();
      pageKeyTexts.pop();
      pageRanks.pop();
    }
  };

  if (matching.negated) {
    // Every open job but the listed ones.
    const excluded = matching.slots;
    let j = 0;
    for (let slot = 0; slot < state.ids.length; slot++) {
      while (j < excluded.length && excluded[j]! < slot) j += 1;
      if (j < excluded.length && excluded[j] === slot) continue;
      visit(slot);
    }
  } else {
    for (const slot of matching.slots) visit(slot);
  }

  const hasNextPage = pageSlots.length > size;
  const hits = pageSlots.slice(0, size).map((slot, i) => {
    const rank = sort === 'RELEVANCE' || rankOf === undefined ? pageRanks[i]! : rankOf(slot);
    const score = terms === undefined ? '0' : scoreKeyOf(rank);
    const sortKey =
      sort === 'RELEVANCE'
        ? pageKeyTexts[i]!
        : sort === 'NEWEST'
          ? new Date(state.postedAt[slot]!).toISOString()
          : sort === 'SALARY_HIGH'
            ? (state.payHighText[slot] ?? '-1')
            : (state.payLowText[slot] ?? '1000000000');
    return { id: String(state.ids[slot]), score: Number(score), sortKey };
  });

  let facets: IndexFacetRow[] | undefined;
  if (request.withFacets) {
    /** The values counted at least once, with their counts. */
    const counted = <K>(byCode: Int32Array, valueOf: (code: number) => K): [K, number][] => {
      const found: [K, number][] = [];
      for (let code = 0; code < byCode.length; code++) if (byCode[code]! > 0) found.push([valueOf(code), byCode[code]!]);
      return found;
    };
    const rows = (facet: string, byCode: Int32Array, valueOf: (code: number) => string) =>
      counted(byCode, valueOf).map(([value, count]) => ({ facet, value, label: value, count }));
    const top = <K>(found: [K, number][], compare: (a: K, b: K) => number, limit: number) => found.sort(([a, x], [b, y]) => y - x || compare(a, b)).slice(0, limit);
    const ids = (codes: Codes<number>) => (code: number) => codes.values[code]!;
    facets = [
      ...rows('jobType', counts.jobType, (code) => JOB_TYPES[code]!),
      ...rows('experienceLevel', counts.experienceLevel, (code) => LEVELS[code]!),
      ...rows('isRemote', counts.isRemote, (code) => String(code === 1)),
      ...top(counted(counts.category, ids(state.categoryCodes)), (a, b) => a - b, request.facetLimits.category).map(([id, count]) => ({
        facet: 'category',
        value: String(id),
        label: String(id),
        count,
      })),
      ...top(counted(counts.skill, ids(state.skillCodes)), (a, b) => a - b, request.facetLimits.skill).map(([id, count]) => ({
        facet: 'skill',
        value: String(id),
        label: String(id),
        count,
      })),
      ...top(
        counted(counts.location, (code) => state.locations.values[code]!),
        compareCodePoints,
        request.facetLimits.location,
      ).map(([location, count]) => ({ facet: 'location', value: location, label: location, count })),
      ...rows('salary', counts.salary, String).map((row) => ({ ...row, label: '' })),
    ];
  }
  return { total, hits, hasNextPage, facets };
}

/**
 * Loads the index while the service starts, and then reads what changed every `lookEveryMs`, so
 * that a search finds few changes to read even after a burst of writes. A failed look is logged and
 * left to the next one.
 */
export function jobTextIndexPart(index: JobTextIndex, logger: Logger, lookEveryMs = LOOK_EVERY_MS): PartSpec {
  const look = () => index.catchUp().catch((error: unknown) => logger.warn({ err: error }, 'in-memory job index: reading the changes failed; the next look tries again'));
  return {
    name: 'job-text-index',
    start: async () => {
      void index.load();
      const timer = setInterval(() => void look(), lookEveryMs);
      timer.unref();
      return { stop: async () => clearInterval(timer) };
    },
  };
}
