import { readFileSync } from 'node:fs';

/**
 * The project's own jobs client operations (schema/operations/jobs.graphql), as clients send them:
 * the contract's jobs operations less the fields that other subgraphs will add to Job.
 */
export const JOBS_OPERATIONS = readFileSync(new URL('../../../schema/operations/jobs.graphql', import.meta.url), 'utf8');
