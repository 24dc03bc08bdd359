#!/usr/bin/env node
import { existsSync } from 'node:fs';

// Before any module loads onnxruntime, whose official builds send telemetry (src/detect/no-telemetry.ts).
process.env.ORT_DISABLE_TELEMETRY ??= '1';

if (!existsSync(new URL('../dist/cli.js', import.meta.url))) {
  process.stderr.write("faceblur: not built yet: run 'npm run setup' in the faceblur folder first\n");
  process.exit(2);
}
const { main } = await import('../dist/cli.js');
await main(process.argv);
