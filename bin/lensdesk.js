#!/usr/bin/env node
// `lensdesk` command: runs the built CLI (out/main/cli.js). `npm install` builds it (postinstall);
// if it is missing, say how to build rather than failing obscurely.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`lensdesk: the CLI is not built yet (${cli} missing). Run \`npm run build\` in ${root}.\n`);
  process.exit(2);
}
await import(pathToFileURL(cli).href);
