import { runSubgraph } from '@jobplatform/service-runtime';
import { notificationsSubgraph } from './server.js';

await runSubgraph(notificationsSubgraph);
