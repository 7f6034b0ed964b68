// npm run bench:documents — what sending a trusted document's id instead of its text saves: JobDetail
// through the gateway, each request a different job, sent as text and as `documentId`, interleaved
// rounds in one run; req/s, latency, the request body's bytes, and the gateway's CPU per request
// (process_cpu_seconds_total of its /metrics over each measurement).
// It builds first (npx turbo run build, cached) unless --no-build. Options: --seconds N (default 10),
// --rounds N (default 3), --connections N (default 50), --jobs N (default 2000), --max-load X.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { compileTrustedDocuments } from '../../gateway/src/trusted-documents.js';
import {
  buildServices,
  clientOperation,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  startBenchStack,
  stopOnInterrupt,
  waitForQuiet,
  type GraphQLBody,
  type LoadResult,
  mean,
} from './bench-stack.js';
import { readProcessCounters } from './request-profile.js';
import { seedBenchJobs } from './seed-jobs.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '2000' },
    'max-load': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const command = `npm run bench:documents -- ${process.argv.slice(2).join(' ')}`.trim();

const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
const trusted = compileTrustedDocuments().operations.find((document) => document.name === 'JobDetail');
if (!trusted) throw new Error('JobDetail is not a trusted document');

if (!values['no-build']) buildServices();
const stack = await startBenchStack();
stopOnInterrupt(() => stack.stop());
try {
  await seedBenchJobs(stack, Number(values.jobs));
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  await jobsDb.connect();
  const { rows } = await jobsDb.query<{ id: string }>('SELECT id::text FROM jobs ORDER BY id');
  await jobsDb.end();
  const byText: GraphQLBody[] = rows.map(({ id }) => ({ query: JOB_DETAIL, variables: { id } }));
  // loadGraphQL sends any JSON body; a body that names a document has no query text.
  const byId = rows.map(({ id }) => ({ documentId: trusted.id, variables: { id } }) as unknown as GraphQLBody);
  const bytes = (bodies: GraphQLBody[]) => Math.round(bodies.reduce((sum, body) => sum + Buffer.byteLength(JSON.stringify(body)), 0) / bodies.length);
  const gatewayUrl = stack.urls.gateway!;
  const metricsUrl = gatewayUrl.replace(/\/graphql$/, '/metrics');

  // Both forms must answer the same, before anything is measured.
  const [first, second] = await Promise.all(
    [byText[0], byId[0]].map(async (body) => (await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text()),
  );
  if (first !== second || !first!.includes('"job":{')) throw new Error(`JobDetail by text and by id differ:\n${first}\n${second}`);
  await loadGraphQL('warm-up', gatewayUrl, byText, { connections: 10, seconds: 3 });
  await loadGraphQL('warm-up', gatewayUrl, byId, { connections: 10, seconds: 3 });

  const results: LoadResult[] = [];
  const cpu: Record<'text' | 'id', number[]> = { text: [], id: [] };
  const measure = async (form: 'text' | 'id', round: number) => {
    await waitForQuiet(maxLoad);
    const before = (await readProcessCounters(metricsUrl)).cpu;
    const result = await loadGraphQL(`JobDetail by ${form === 'text' ? 'text' : 'documentId'}, round ${round}`, gatewayUrl, form === 'text' ? byText : byId, {
      connections,
      seconds,
    });
    cpu[form].push((((await readProcessCounters(metricsUrl)).cpu - before) * 1000) / (result.requestsPerSecond * seconds));
    results.push(result);
  };
  for (let round = 1; round <= rounds; round += 1) {
    console.log(`round ${round} of ${rounds} (load average ${loadAverage()})`);
    // Alternate which goes first, so neither always follows the other.
    for (const form of round % 2 === 1 ? (['text', 'id'] as const) : (['id', 'text'] as const)) await measure(form, round);
  }
  console.log(`\n${command}\n${machineDescription()}, load average ${loadAverage()}\n`);
  console.log(markdownTable(results, { withP95: true }));
  console.log(`\nrequest body: ${bytes(byText)} bytes as text, ${bytes(byId)} bytes by documentId`);
  console.log(
    `gateway CPU per request: ${mean(cpu.text).toFixed(3)} ms by text (${cpu.text.map((n) => n.toFixed(3)).join(' / ')}), ${mean(cpu.id).toFixed(3)} ms by documentId (${cpu.id.map((n) => n.toFixed(3)).join(' / ')})`,
  );
} finally {
  await stack.stop();
}
