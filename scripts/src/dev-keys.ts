import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export type DevSecrets = { jwtPrivateKey: string; fieldEncryptionKey: string; adminPassword: string; gatewayHopSecret: string; uploadSigningSecret: string };

async function readOrCreate(file: string, create: () => string): Promise<string> {
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const value = create();
  await fs.writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * Development secrets, made on the first `npm start` and kept in the data folder so tokens and
 * encrypted fields survive restarts. Production supplies its own through the environment.
 */
export async function loadDevSecrets(dataDir: string): Promise<DevSecrets> {
  // The data folder must stay traversable: PostgreSQL may run as another user inside it.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  const dir = path.join(dataDir, 'keys');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  return {
    jwtPrivateKey: await readOrCreate(path.join(dir, 'jwt-ed25519.pem'), () =>
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
    ),
    fieldEncryptionKey: await readOrCreate(path.join(dir, 'field-encryption.key'), () => randomBytes(32).toString('base64')),
    adminPassword: await readOrCreate(path.join(dir, 'admin-password'), () => randomBytes(12).toString('base64url')),
    gatewayHopSecret: await readOrCreate(path.join(dir, 'gateway-hop-secret'), () => randomBytes(32).toString('base64')),
    uploadSigningSecret: await readOrCreate(path.join(dir, 'upload-signing-secret'), () => randomBytes(32).toString('base64url')),
  };
}

export type DevPasswords = { admin: string; services: Record<string, string> };

/** One password per identity and one for the admin identity, each kept in keys/<prefix>-<identity>.password. */
async function loadDevPasswords(dataDir: string, prefix: string, identities: readonly string[]): Promise<DevPasswords> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 }); // traversable, as in loadDevSecrets
  const dir = path.join(dataDir, 'keys');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const create = () => randomBytes(18).toString('base64url');
  const passwords: Record<string, string> = {};
  for (const identity of identities) passwords[identity] = await readOrCreate(path.join(dir, `${prefix}-${identity}.password`), create);
  return { admin: await readOrCreate(path.join(dir, `${prefix}-admin.password`), create), services: passwords };
}

export type DevNatsPasswords = DevPasswords;

/**
 * Development NATS passwords, kept beside the other keys: one per service (its identity on the
 * event backbone) and one for the admin identity the tools use (npm run dead-letters).
 */
export const loadDevNatsPasswords = (dataDir: string, services: readonly string[]): Promise<DevNatsPasswords> => loadDevPasswords(dataDir, 'nats', services);

/**
 * Development PostgreSQL passwords of the embedded cluster, kept beside the other keys: one per
 * service's role (keys/postgres-<service>.password, where the CLIs' default database URLs read it:
 * devStackDatabaseUrl) and the superuser's, which only npm start uses, to make roles and databases.
 */
export const loadDevPostgresPasswords = (dataDir: string, services: readonly string[]): Promise<DevPasswords> => loadDevPasswords(dataDir, 'postgres', services);
