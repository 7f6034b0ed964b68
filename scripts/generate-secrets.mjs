#!/usr/bin/env node
// Prints the secrets a production-mode deployment needs, as .env lines:
//   node scripts/generate-secrets.mjs > .env      (docker compose reads .env)
//   node scripts/generate-secrets.mjs --nats >> .env   (only the NATS passwords, for an .env made before them)
//   node scripts/generate-secrets.mjs --postgres >> .env   (only the services' database passwords, likewise)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const lines = [
  `# Generated ${new Date().toISOString()}. Keep this file out of version control.`,
  `JWT_PRIVATE_KEY="${pem.trim().replace(/\n/g, '\\n')}"`,
  `FIELD_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
  `GATEWAY_HOP_SECRET=${randomBytes(32).toString('base64url')}`,
  `APPLICATIONS_UPLOAD_SIGNING_SECRET=${randomBytes(32).toString('base64url')}`,
  `POSTGRES_PASSWORD=${randomBytes(18).toString('base64url')}`,
  `BOOTSTRAP_ADMIN_EMAIL=admin@example.com`,
  `BOOTSTRAP_ADMIN_PASSWORD=${randomBytes(12).toString('base64url')}`,
];
// One NATS password per identity that docker/nats-server.conf names ($USERS_NATS_PASSWORD, ..., $NATS_ADMIN_PASSWORD).
// Letters and digits, a letter first: nats-server reads a variable's value as a configuration token.
const natsConfig = readFileSync(new URL('../docker/nats-server.conf', import.meta.url), 'utf8');
const natsLines = [...new Set(natsConfig.match(/(?<=\$)[A-Z0-9_]+_PASSWORD\b/g) ?? [])].map((name) => `${name}=n${randomBytes(20).toString('hex')}`);
// One PostgreSQL password per service role that docker/postgres-init.sql makes (\getenv ... USERS_DATABASE_PASSWORD, ...);
// base64url, so that it goes into the services' database URLs as it is.
const postgresInit = readFileSync(new URL('../docker/postgres-init.sql', import.meta.url), 'utf8');
const postgresLines = [...new Set(postgresInit.match(/(?<=^\\getenv \w+ )[A-Z0-9_]+_DATABASE_PASSWORD$/gm) ?? [])].map(
  (name) => `${name}=${randomBytes(18).toString('base64url')}`,
);
const only = [...(process.argv.includes('--nats') ? natsLines : []), ...(process.argv.includes('--postgres') ? postgresLines : [])];
console.log((only.length > 0 ? only : [...lines, ...natsLines, ...postgresLines]).join('\n'));
