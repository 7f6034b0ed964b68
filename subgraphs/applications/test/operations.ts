import { readFileSync } from 'node:fs';

/**
 * The project's own applications client operations (schema/operations/applications.graphql), as
 * clients send them: pass the operation's name as operationName.
 */
export const APPLICATIONS_OPERATIONS = readFileSync(new URL('../../../schema/operations/applications.graphql', import.meta.url), 'utf8');
