import type { SearchDb } from './db.js';
import { indexCompany, indexJob, type CompanySnapshot, type JobSnapshot } from './job-index.js';

/** One page of jobs from the write model, each with its company, as the rebuild reads them. */
export type JobSource = AsyncIterable<{ job: JobSnapshot; company: CompanySnapshot }[]>;

const NEXT = 'search_indexes_next';

/**
 * Rebuilds the read model from jobs without downtime, for a new index layout or a lost database:
 * 1. fills search_indexes_next (a copy of search_indexes' definition: columns, CHECKs, indexes)
 *    from the source, while searches and the event consumer keep using search_indexes;
 * 2. in one transaction that holds off writers of search_indexes for a moment (searches go on):
 *    takes over the rows that events changed during the rebuild (a newer source_version, or a
 *    document the source did not have), swaps the tables, and gives the new table's indexes and
 *    primary key the names the migrations gave the old ones.
 * Returns how many jobs and companies were written from the source.
 */
export async function rebuildSearchIndex(db: SearchDb, source: JobSource, options: { say?: (line: string) => void } = {}): Promise<{ jobs: number; companies: number }> {
  await db.$executeRawUnsafe(`DROP TABLE IF EXISTS ${NEXT}`);
  await db.$executeRawUnsafe(`CREATE TABLE ${NEXT} (LIKE search_indexes INCLUDING ALL)`);
  // LIKE copies no trigger; the in-memory job indexes rely on these (migration 20261204061500).
  await db.$executeRawUnsafe(`CREATE TRIGGER search_indexes_set_changed_xid BEFORE UPDATE ON ${NEXT} FOR EACH ROW EXECUTE FUNCTION set_changed_xid()`);
  await db.$executeRawUnsafe(`CREATE TRIGGER search_indexes_deleted AFTER DELETE ON ${NEXT} FOR EACH STATEMENT EXECUTE FUNCTION search_index_next_generation()`);
  await db.$executeRawUnsafe(`CREATE TRIGGER search_indexes_truncated AFTER TRUNCATE ON ${NEXT} FOR EACH STATEMENT EXECUTE FUNCTION search_index_next_generation()`);
  const companies = new Set<string>();
  let jobs = 0;
  for await (const page of source) {
    await db.$transaction(async (tx) => {
      for (const { job, company } of page) {
        if (!companies.has(company.id)) {
          await indexCompany(tx, company, { version: Date.parse(company.updatedAt), table: NEXT });
          companies.add(company.id);
        }
        await indexJob(tx, job, { version: Date.parse(job.updatedAt), deleted: false, table: NEXT });
      }
    });
    jobs += page.length;
    options.say?.(`${jobs} jobs written to ${NEXT}`);
  }
  await swapIn(db);
  return { jobs, companies: companies.size };
}

/** The index body after "CREATE [UNIQUE] INDEX <name> ON", with the table's name as `tableName`. */
const indexBodies = (db: SearchDb, table: string) =>
  db.$queryRawUnsafe<{ name: string; body: string }[]>(
    `SELECT indexname AS name, replace(regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON ', 'CREATE \\1INDEX ON '), $2, 'search_indexes') AS body
     FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`,
    table,
    `.${table} `,
  );

async function swapIn(db: SearchDb): Promise<void> {
  await db.$transaction(
    async (tx) => {
      // Writers (the event consumer) wait until the swap commits; readers go on.
      await tx.$executeRawUnsafe('LOCK TABLE search_indexes IN SHARE ROW EXCLUSIVE MODE');
      await tx.$executeRawUnsafe(
        `DELETE FROM ${NEXT} n USING search_indexes l WHERE n.entity_type = l.entity_type AND n.entity_id = l.entity_id AND l.source_version > n.source_version`,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO ${NEXT} SELECT l.* FROM search_indexes l
         WHERE NOT EXISTS (SELECT 1 FROM ${NEXT} n WHERE n.entity_type = l.entity_type AND n.entity_id = l.entity_id)`,
      );
      const oldIndexes = await indexBodies(tx as unknown as SearchDb, 'search_indexes');
      const newIndexes = await indexBodies(tx as unknown as SearchDb, NEXT);
      // The id sequence outlives the old table.
      await tx.$executeRawUnsafe(`ALTER SEQUENCE search_indexes_id_seq OWNED BY ${NEXT}.id`);
      await tx.$executeRawUnsafe('DROP TABLE search_indexes');
      await tx.$executeRawUnsafe(`ALTER TABLE ${NEXT} RENAME TO search_indexes`);
      await tx.$executeRawUnsafe(`ALTER TABLE search_indexes RENAME CONSTRAINT ${NEXT}_pkey TO search_indexes_pkey`);
      for (const index of newIndexes) {
        const old = oldIndexes.find((candidate) => candidate.body === index.body);
        if (old && old.name !== index.name && old.name !== 'search_indexes_pkey') await tx.$executeRawUnsafe(`ALTER INDEX "${index.name}" RENAME TO "${old.name}"`);
      }
    },
    { timeout: 120_000 },
  );
  await db.$executeRawUnsafe('ANALYZE search_indexes');
}
