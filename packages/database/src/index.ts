export { applyMigrations, createMigration, diffMigrationsToSchema, readMigrations, readSchemaFiles, serviceSchema, type ServiceSchema } from './migrations.js';
export { openSchemaEngine } from './schema-engine.js';
export { provisionServiceDatabase, serviceDatabaseUrl, type ProvisionedDatabase, type ServiceDatabaseAccess } from './service-database.js';
