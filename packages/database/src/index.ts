export { applyMigrations, createMigration, diffMigrationsToSchema, readMigrations, serviceSchema, type ServiceSchema } from './migrations.js';
export { openSchemaEngine } from './schema-engine.js';
