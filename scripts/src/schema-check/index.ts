/**
 * npm run schema:check [-- --ci] [--base <git ref>] [--contract <dir>] [--verbose]
 *
 * The offline equivalent of a schema registry's checks: composition, breaking changes against the
 * previous supergraph, the project's and the clients' operations, and SDL lint. Exits 1 when any fails.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport, runSchemaCheck } from './run-schema-check.js';

const { values } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    base: { type: 'string' },
    contract: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const report = await runSchemaCheck({
  ci: values.ci,
  baseRef: values.base,
  contractDir: values.contract ? path.resolve(values.contract) : undefined,
  verbose: values.verbose,
});
console.log(formatReport(report));
process.exitCode = report.passed ? 0 : 1;
