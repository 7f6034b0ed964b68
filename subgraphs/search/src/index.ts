import { runSubgraph } from '@jobplatform/service-runtime';
import { searchSubgraph } from './server.js';

await runSubgraph(searchSubgraph);
