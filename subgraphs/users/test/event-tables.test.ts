import fs from 'node:fs/promises';

/**
 * users_db pastes the event tables' models from @jobplatform/events. The events package checks that
 * its models and SQL agree, the migration drift test that users' migrations match its schema; this
 * closes the chain: the pasted models are the package's, character for character.
 */
it('prisma/users/schema.prisma holds the event tables of @jobplatform/events unchanged', async () => {
  const read = (path: string) => fs.readFile(new URL(path, import.meta.url), 'utf8');
  const [schema, eventTables] = await Promise.all([read('../../../prisma/users/schema.prisma'), read('../../../packages/events/prisma/event-tables.prisma')]);
  const models = eventTables.slice(eventTables.indexOf('/// Transactional outbox'));
  expect(models).toMatch(/^model EventOutbox \{/m);
  expect(models).toMatch(/^model ProcessedEvent \{/m);
  expect(schema).toContain(models.trim());
});
