import { runSubgraph } from '@jobplatform/service-runtime';
import { applicationsSubgraph } from './server.js';

await runSubgraph(applicationsSubgraph);
