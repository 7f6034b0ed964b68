// Copies a package's non-TypeScript sources (the SDL) from src/ to dist/ after tsc, keeping paths.
import fs from 'node:fs/promises';
import path from 'node:path';

const assetExtensions = new Set(['.graphql']);

async function copy(from, to) {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (entry.name === 'generated') continue;
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) await copy(source, path.join(to, entry.name));
    else if (assetExtensions.has(path.extname(entry.name))) {
      await fs.mkdir(to, { recursive: true });
      await fs.copyFile(source, path.join(to, entry.name));
    }
  }
}

await copy(path.resolve('src'), path.resolve('dist'));
