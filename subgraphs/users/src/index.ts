import { runSubgraph } from '@jobplatform/service-runtime';
import { usersSubgraph } from './server.js';

await runSubgraph(usersSubgraph);
