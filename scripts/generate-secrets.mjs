#!/usr/bin/env node
// Prints the secrets a production-mode deployment needs, as .env lines:
//   node scripts/generate-secrets.mjs > .env      (docker compose reads .env)
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const lines = [
  `# Generated ${new Date().toISOString()}. Keep this file out of version control.`,
  `JWT_PRIVATE_KEY="${pem.trim().replace(/\n/g, '\\n')}"`,
  `FIELD_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`,
  `POSTGRES_PASSWORD=${randomBytes(18).toString('base64url')}`,
  `BOOTSTRAP_ADMIN_EMAIL=admin@example.com`,
  `BOOTSTRAP_ADMIN_PASSWORD=${randomBytes(12).toString('base64url')}`,
];
console.log(lines.join('\n'));
