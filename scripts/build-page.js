// Builds the browser pages into dist/: the review editor (web/review → dist/review-page) and serve's
// jobs page (web/serve → dist/serve-page), each one bundled, minified script (esbuild) and its
// stylesheet. Type-checking is tsc's job (web/*/tsconfig.json, run by npm run build).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [page, out] of [['review', 'review-page'], ['serve', 'serve-page']]) {
  const dir = join(root, 'dist', out);
  await mkdir(dir, { recursive: true });
  await build({
    entryPoints: [join(root, 'web', page, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    outfile: join(dir, 'app.js'),
    logLevel: 'warning',
  });
  await copyFile(join(root, 'web', page, 'app.css'), join(dir, 'app.css'));
}
