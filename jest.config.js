/**
 * One jest run for the whole monorepo. TypeScript is compiled by SWC as ES modules; workspace
 * packages resolve to their sources, so tests need no build. Integration tests use the real
 * PostgreSQL and nats-server that the global setup starts.
 */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@jobplatform/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@jobplatform/mail/catcher$': '<rootDir>/packages/mail/src/catcher.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{packages,subgraphs,gateway,scripts}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/packages/testing/src/global-setup.mjs',
  globalTeardown: '<rootDir>/packages/testing/src/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker's heap grows by about 24 MB with each test file it runs (what keeps it is not traced
  // yet), so after 65 files it held 1.7 GB, and disposing that heap when the run ended took longer
  // than jest waits for a worker to exit ("A worker process has failed to exit gracefully"). A
  // worker whose heap has passed this after a file is replaced before the next.
  workerIdleMemoryLimit: '512MB',
};
