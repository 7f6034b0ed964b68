// npm run bench:users — the users figures of docs/benchmarks.md:
//  1. `Me` through the gateway vs. straight to the users subgraph, same run, 50 connections (or
//     each of --connections), interleaved rounds so both see the same machine noise;
//  2. login requests per second, and what one argon2id hash costs at the configured parameters.
// Build first (npm run build). Options: --seconds N (per round, default 10), --rounds N (default 2),
// --max-load X (before each measurement, wait up to 15 minutes for the 1-minute load average to
// fall to X: the machines are shared), --cpu-prof DIR (every service writes a V8 CPU profile there),
// --connections N,M… (the concurrencies measured, each in every round; default 50).
// Besides latency, it reports the CPU each process spends per request on each path (the gateway,
// users, PostgreSQL and this process): the gateway's overhead is what it costs on top of users.
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { postGraphQL } from '@jobplatform/testing';
import { dataOf, loadAverage, loadGraphQL, machineDescription, markdownTable, startBenchStack, waitForQuiet, type LoadResult, cpuProfileArgs, meanOfRuns } from './bench-stack.js';
import { loadGenerator, postgresAt, withCpuPerRequest, type ProfiledProcess } from './request-profile.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'max-load': { type: 'string' },
    'cpu-prof': { type: 'string' },
    connections: { type: 'string', default: '50' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrencies = values.connections.split(',').map(Number);
if (concurrencies.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--connections takes whole numbers above 0, separated by commas: ${values.connections}`);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const ME = { query: 'query Me { me { id username email firstName lastName userType isVerified dateJoined } }' };

const stack = await startBenchStack({}, cpuProfileArgs(values['cpu-prof']));
try {
  const email = 'bench@example.com';
  const password = 'benchmark password 1';
  const registered = await postGraphQL(stack.urls.gateway!, {
    query: 'mutation R($input: RegisterInput!) { register(input: $input) { accessToken } }',
    variables: { input: { username: 'bench_user', email, password } },
  });
  const token = dataOf('register', registered).register.accessToken as string;

  // Warm both paths (JIT, JWKS cache, connection pools) before measuring.
  await loadGraphQL('warm-up', stack.urls.gateway!, ME, { connections: 10, seconds: 2, token });
  // Straight to users, signed as the gateway signs its calls: production refuses unsigned ones.
  await loadGraphQL('warm-up', stack.urls.users!, ME, { connections: 10, seconds: 2, token, hopSecret: stack.hopSecret });

  const meResults: LoadResult[] = [];
  // CPU ms per request of each process (and of this process, the load generator), per path.
  const processes: ProfiledProcess[] = [
    { name: 'gateway', url: stack.urls.gateway! },
    { name: 'users', url: stack.urls.users! },
    postgresAt(stack.env.USERS_DATABASE_URL!),
    loadGenerator,
  ];
  const cpuRows: string[] = [];
  const measure = async (label: string, url: string, connections: number, options: { hopSecret?: string }) => {
    await waitForQuiet(maxLoad);
    const { result, msPerRequest } = await withCpuPerRequest(processes, seconds, () => loadGraphQL(label, url, ME, { connections, seconds, token, ...options }));
    cpuRows.push(`| ${label} | ${msPerRequest.map((ms) => ms.toFixed(3)).join(' | ')} |`);
    meResults.push(result);
  };
  for (let round = 1; round <= rounds; round += 1) {
    console.log(`round ${round} of ${rounds} (load average ${loadAverage()})`);
    for (const connections of concurrencies) {
      await measure(`Me direct to users, ${connections} connections, round ${round}`, stack.urls.users!, connections, { hopSecret: stack.hopSecret });
      await measure(`Me through gateway, ${connections} connections, round ${round}`, stack.urls.gateway!, connections, {});
    }
  }
  const mean = (label: string, pick: (r: LoadResult) => number) => meanOfRuns(meResults, label, pick);
  const ratios = concurrencies.map((connections) => {
    const ratio = (pick: (r: LoadResult) => number) =>
      mean(`Me through gateway, ${connections} connections,`, pick) / mean(`Me direct to users, ${connections} connections,`, pick);
    return `${connections} connections: p50 ×${ratio((r) => r.p50).toFixed(2)}, p99 ×${ratio((r) => r.p99).toFixed(2)}`;
  });

  const loginBody = { query: 'mutation L($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }', variables: { email, password } };
  const login = await loadGraphQL('Login through gateway', stack.urls.gateway!, loginBody, { connections: 8, seconds });

  const memoryKiB = Number(stack.env.ARGON2_MEMORY_KIB ?? 19456);
  const timeCost = Number(stack.env.ARGON2_TIME_COST ?? 2);
  const hashes = 20;
  const started = performance.now();
  for (let i = 0; i < hashes; i += 1) await hash(`password-${i}`, { algorithm: 2, memoryCost: memoryKiB, timeCost, parallelism: 1 });
  const perHashMs = (performance.now() - started) / hashes;

  console.log(`\nMachine: ${machineDescription()}, load average ${loadAverage()}\n`);
  console.log(markdownTable([...meResults, login]));
  console.log('\nCPU ms per request:\n');
  console.log([`| run | ${processes.map((entry) => entry.name).join(' | ')} |`, `|---|${processes.map(() => '---:|').join('')}`, ...cpuRows].join('\n'));
  console.log(`\nGateway / direct latency (target: at most ×1.5): ${ratios.join('; ')}`);
  console.log(`argon2id m=${memoryKiB} KiB, t=${timeCost}, p=1: ${perHashMs.toFixed(1)} ms per hash on one core`);
} finally {
  await stack.stop();
}
