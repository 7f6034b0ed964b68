import { runSubgraph } from '@jobplatform/service-runtime';
import { analyticsSubgraph } from './server.js';

await runSubgraph(analyticsSubgraph);
