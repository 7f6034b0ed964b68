// npm run trusted-documents [-- --out FILE]
// Prints (or writes to FILE) the manifest of the platform's trusted documents: every operation of
// schema/operations/*.graphql with its id, the SHA-256 of its text, in Apollo's persisted query
// manifest format. Clients send `{ "documentId": "<id>", "variables": … }` instead of the text; the
// gateway compiles the same manifest from the same files when it starts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileTrustedDocuments } from '../../gateway/src/trusted-documents.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const manifest = `${JSON.stringify(compileTrustedDocuments(), null, 2)}\n`;
if (values.out) {
  writeFileSync(values.out, manifest);
  console.log(`wrote ${values.out}`);
} else process.stdout.write(manifest);
