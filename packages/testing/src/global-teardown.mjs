import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { stopTestInfrastructure } = await tsImport('./test-infrastructure.ts', import.meta.url);
  await stopTestInfrastructure();
}
