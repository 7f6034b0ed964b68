/** Variables that the jest global setup exports to every test worker. */
export const TEST_ENV = {
  postgresAdminUrl: 'JOBPLATFORM_TEST_POSTGRES_URL',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test", whose global setup starts PostgreSQL`);
  return value;
}

export const testPostgresAdminUrl = () => required(TEST_ENV.postgresAdminUrl);
