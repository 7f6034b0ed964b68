import type { EventSubject } from './contracts/index.js';
import { startEventConsumer, type EventConsumer, type EventConsumerOptions, type EventHandlers } from './consumer.js';
import type { EventEnvelope } from './envelope.js';
import { queryRows, quoteIdentifier, type SqlClient } from './sql-client.js';

export type ReplicaValue = string | number | boolean | null;

/** What one event changes in the replica: the row's key and the columns it sets. */
export type ReplicaChange = {
  key: string;
  values: Record<string, ReplicaValue>;
  /** Defaults to the event's occurredAt in epoch milliseconds. */
  version?: number | bigint;
};

export type ReplicaMapping = { [S in EventSubject]?: (event: EventEnvelope<S>) => ReplicaChange | null };

export type ReplicaTable = {
  /** The service's own table holding the copy, e.g. user_replicas. */
  table: string;
  keyColumn?: string;
  /** BIGINT column holding the version of the event the row reflects. */
  versionColumn?: string;
  map: ReplicaMapping;
};

/** The events that carry a job's state: a copy of jobs is kept from all four. */
export type JobStateEvent = EventEnvelope<'jobs.job.created.v1' | 'jobs.job.updated.v1' | 'jobs.job.closed.v1' | 'jobs.job.deleted.v1'>;

/**
 * A service's copy of jobs (job_replicas, keyed by id, versioned), kept from every job event; what
 * a row holds is the service's own: `change` picks the columns from the event.
 */
export function jobReplicaTableOf(change: (event: JobStateEvent) => ReplicaChange, table = 'job_replicas'): ReplicaTable {
  return {
    table,
    keyColumn: 'id',
    versionColumn: 'version',
    map: { 'jobs.job.created.v1': change, 'jobs.job.updated.v1': change, 'jobs.job.closed.v1': change, 'jobs.job.deleted.v1': change },
  };
}

type CompanyEvent = EventEnvelope<'jobs.company.created.v1' | 'jobs.company.updated.v1'>;

const companyNameChange = (event: CompanyEvent): ReplicaChange => ({ key: event.data.company.id, values: { name: event.data.company.name } });

/**
 * A service's copy of companies' names (company_replicas: id, name, version), from jobs' company
 * events. A rename is a jobs.company.updated.v1 only: the company's jobs write no event of their
 * own, so a name kept beside each job copy stays the old one until that job next changes.
 */
export const companyNameReplicaTable: ReplicaTable = {
  table: 'company_replicas',
  keyColumn: 'id',
  versionColumn: 'version',
  map: { 'jobs.company.created.v1': companyNameChange, 'jobs.company.updated.v1': companyNameChange },
};

/**
 * Inserts or updates one replica row, unless the row already reflects a later event: redelivery
 * after a failure can bring an older event after a newer one. Events of the same version apply in
 * arrival order, which for one aggregate is the producer's order. Columns an event does not set
 * keep their value (or their default for a new row), so an entity's first event can be any of them.
 * Returns whether the row changed.
 */
export async function upsertReplicaRow(tx: SqlClient, table: Omit<ReplicaTable, 'map'>, change: Required<ReplicaChange>): Promise<boolean> {
  const key = quoteIdentifier(table.keyColumn ?? 'id');
  const version = quoteIdentifier(table.versionColumn ?? 'version');
  const name = quoteIdentifier(table.table);
  const columns = Object.keys(change.values).map(quoteIdentifier);
  const values = [change.key, change.version.toString(), ...Object.values(change.values)];
  const placeholders = values.map((_, i) => `$${i + 1}`);
  const updates = [version, ...columns].map((column) => `${column} = EXCLUDED.${column}`);
  const rows = await queryRows(
    tx,
    `INSERT INTO ${name} (${[key, version, ...columns].join(', ')}) VALUES (${placeholders.join(', ')})
     ON CONFLICT (${key}) DO UPDATE SET ${updates.join(', ')} WHERE ${name}.${version} <= EXCLUDED.${version}
     RETURNING ${key}`,
    values,
  );
  return rows.length > 0;
}

/** Turns a replica mapping into consumer handlers, one per mapped subject. */
export function createReplicaHandlers<Tx extends SqlClient>(replica: ReplicaTable): EventHandlers<Tx> {
  const handlers: Record<string, unknown> = {};
  for (const [subject, map] of Object.entries(replica.map)) {
    if (!map) continue;
    handlers[subject] = async (event: EventEnvelope, tx: Tx) => {
      const change = (map as (event: EventEnvelope) => ReplicaChange | null)(event);
      if (!change) return;
      await upsertReplicaRow(tx, replica, { ...change, version: change.version ?? Date.parse(event.occurredAt) });
    };
  }
  return handlers as EventHandlers<Tx>;
}

/**
 * Keeps a local copy of another service's entity up to date, e.g. jobs' user_replicas from users'
 * events. Durable and idempotent like every consumer; the version guard handles reordering.
 */
export async function startReplicaConsumer<Tx extends SqlClient>(
  options: Omit<EventConsumerOptions<Tx>, 'handlers' | 'batchHandler'> & { replica: ReplicaTable },
): Promise<EventConsumer> {
  const { replica, ...consumer } = options;
  return startEventConsumer({ ...consumer, handlers: createReplicaHandlers<Tx>(replica) });
}

/**
 * The users replica that jobs, applications and notifications keep: who a user id is (handle and
 * names), what kind of account, and whether it may still act. Table and Prisma model: packages/events/prisma/user-replica.prisma.
 * An erased user keeps a row (no name, inactive), so that a late event cannot bring them back.
 */
export const userReplicaMapping: ReplicaMapping = {
  'users.user.registered.v1': ({ data }) => ({
    key: data.userId,
    values: { username: data.username, first_name: data.firstName, last_name: data.lastName, user_type: data.userType, is_active: data.isActive, deleted_at: null },
  }),
  'users.user.updated.v1': ({ data }) => ({
    key: data.userId,
    values: { username: data.username, first_name: data.firstName, last_name: data.lastName, user_type: data.userType, is_active: data.isActive },
  }),
  'users.user.deleted.v1': ({ data }) => ({
    key: data.userId,
    values: { username: null, first_name: null, last_name: null, is_active: false, deleted_at: data.requestedAt },
  }),
};

export const userReplicaTable: ReplicaTable = { table: 'user_replicas', keyColumn: 'id', versionColumn: 'version', map: userReplicaMapping };

/**
 * The username shown for a user the users replica holds: an erased account's is its tombstone,
 * `erased~<id>`, as the users service shows it.
 */
export const shownUsername = (userId: bigint, username: string | null): string => username ?? `erased~${userId}`;

/** What another service shows of an account from its users replica row, as users itself shows it. */
export type ShownUserProfile = { username: string; firstName: string | null; lastName: string | null };

/**
 * An account's handle and names as the users service shows them where other data refers to the
 * account (a job's employer): the tombstone handle once erased, and no names once it is no longer
 * active (deactivated or erased).
 */
export function shownUserProfile(row: { id: bigint; username: string | null; firstName: string | null; lastName: string | null; isActive: boolean }): ShownUserProfile {
  return {
    username: shownUsername(row.id, row.username),
    firstName: row.isActive ? row.firstName : null,
    lastName: row.isActive ? row.lastName : null,
  };
}
