#!/usr/bin/env node
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  process.stderr.write("faceblur: not built yet: run 'npm run setup' in the faceblur folder first\n");
  process.exit(2);
}
const { main } = await import('../dist/cli.js');
await main(process.argv);
