// Builds the review editor's page (web/review) into dist/review-page: one bundled, minified script
// (esbuild) and the stylesheet. Type-checking is tsc's job (web/review/tsconfig.json, run by npm run build).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'review-page');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'review', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
await copyFile(join(root, 'web', 'review', 'app.css'), join(out, 'app.css'));
