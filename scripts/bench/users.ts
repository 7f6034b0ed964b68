// npm run bench:users — the users figures of docs/benchmarks.md:
//  1. `Me` through the gateway vs. straight to the users subgraph, same run, 50 connections,
//     interleaved rounds so both see the same machine noise;
//  2. login requests per second, and what one argon2id hash costs at the configured parameters.
// Build first (npm run build). Options: --seconds N (per round, default 10), --rounds N (default 2).
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { postGraphQL } from '@jobplatform/testing';
import { dataOf, loadGraphQL, machineDescription, markdownTable, startBenchStack, type LoadResult } from './bench-stack.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const ME = { query: 'query Me { me { id username email firstName lastName userType isVerified dateJoined } }' };

const stack = await startBenchStack();
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
  for (let round = 1; round <= rounds; round += 1) {
    meResults.push(await loadGraphQL(`Me direct to users, round ${round}`, stack.urls.users!, ME, { connections: 50, seconds, token, hopSecret: stack.hopSecret }));
    meResults.push(await loadGraphQL(`Me through gateway, round ${round}`, stack.urls.gateway!, ME, { connections: 50, seconds, token }));
  }
  const mean = (label: string, pick: (r: LoadResult) => number) => {
    const picked = meResults.filter((r) => r.label.startsWith(label)).map(pick);
    return picked.reduce((a, b) => a + b, 0) / picked.length;
  };
  const ratioP50 = mean('Me through', (r) => r.p50) / mean('Me direct', (r) => r.p50);
  const ratioP99 = mean('Me through', (r) => r.p99) / mean('Me direct', (r) => r.p99);

  const loginBody = { query: 'mutation L($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }', variables: { email, password } };
  const login = await loadGraphQL('Login through gateway', stack.urls.gateway!, loginBody, { connections: 8, seconds });

  const memoryKiB = Number(stack.env.ARGON2_MEMORY_KIB ?? 19456);
  const timeCost = Number(stack.env.ARGON2_TIME_COST ?? 2);
  const hashes = 20;
  const started = performance.now();
  for (let i = 0; i < hashes; i += 1) await hash(`password-${i}`, { algorithm: 2, memoryCost: memoryKiB, timeCost, parallelism: 1 });
  const perHashMs = (performance.now() - started) / hashes;

  console.log(`\nMachine: ${machineDescription()}\n`);
  console.log(markdownTable([...meResults, login]));
  console.log(`\nGateway / direct latency: p50 ×${ratioP50.toFixed(2)}, p99 ×${ratioP99.toFixed(2)} (target: at most ×1.5)`);
  console.log(`argon2id m=${memoryKiB} KiB, t=${timeCost}, p=1: ${perHashMs.toFixed(1)} ms per hash on one core`);
} finally {
  await stack.stop();
}
