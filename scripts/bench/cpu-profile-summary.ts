// npm run bench:profile -- FILE.cpuprofile [--function NAME …] [--top N]: where a V8 CPU profile's
// busy time went (the "where the time went" tables of docs/benchmarks.md), from a profile a
// benchmark's --cpu-prof wrote. Idle samples are left out; every share is of the busy samples.
//  - self time by place: each npm package, each of the platform's source files
//    (gateway/dist/single-fetch.js), Node's modules by area (node:_http_client), garbage collection;
//  - time including what they call, of each function named with --function (every function of that
//    name, counted once per sample however often it recurses), and of the top --top functions.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[] };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { function: { type: 'string', multiple: true, default: [] }, top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) throw new Error('usage: npm run bench:profile -- FILE.cpuprofile [--function NAME …] [--top N]');
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const top = Number(values.top);

/** The place a frame's code belongs to. */
function placeOf(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (!frame.url) return `(native: ${frame.functionName || 'anonymous'})`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (dependency) return dependency[1]!;
  const own = /\/((?:packages|subgraphs)\/[^/]+|gateway|scripts)\/(?:dist|src)\/(.+)$/.exec(frame.url);
  if (own) return `${own[1]}/${own[2]}`;
  if (frame.url.startsWith('node:'))
    return frame.url
      .replace(/^node:(internal\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return frame.url;
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const self = new Map<string, number>();
const including = new Map<string, number>();
let busy = 0;
for (const id of profile.samples) {
  const node = byId.get(id)!;
  if (node.callFrame.functionName === '(idle)') continue;
  busy += 1;
  const place = placeOf(node.callFrame);
  self.set(place, (self.get(place) ?? 0) + 1);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)!.callFrame;
    if (!frame.functionName || frame.functionName.startsWith('(')) continue;
    const name = `${frame.functionName} (${placeOf(frame)})`;
    if (seen.has(name)) continue;
    seen.add(name);
    including.set(name, (including.get(name) ?? 0) + 1);
  }
}

const share = (samples: number) => `${((100 * samples) / busy).toFixed(1)} %`;
const table = (title: string, rows: [string, number][]) =>
  [`| ${title} | share of busy time |`, '|---|---:|', ...rows.map(([name, samples]) => `| ${name} | ${share(samples)} |`)].join('\n');

console.log(`${positionals[0]}: ${busy} busy samples\n`);
console.log(table('self time by place', [...self].sort((a, b) => b[1] - a[1]).slice(0, top)));
console.log();
const named = [...including].filter(([name]) => values.function.some((wanted) => name.startsWith(`${wanted} (`)));
if (named.length > 0) {
  console.log(
    table(
      'function, with what it calls',
      named.sort((a, b) => b[1] - a[1]),
    ),
  );
  console.log();
}
console.log(table('top functions, with what they call', [...including].sort((a, b) => b[1] - a[1]).slice(0, top)));
