import { runSubgraph } from '@jobplatform/service-runtime';
import { jobsSubgraph } from './server.js';

await runSubgraph(jobsSubgraph);
