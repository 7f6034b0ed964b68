// Jest loads global setup outside its module system, so the TypeScript is loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestInfrastructure } = await tsImport('./test-infrastructure.ts', import.meta.url);
  await startTestInfrastructure();
}
