import { defineConfig } from 'vitest/config';

const shared = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // Two cores: the end-to-end files each run ffmpeg and onnxruntime, so they take turns.
  fileParallelism: false,
};

export default defineConfig({
  test: {
    projects: [
      // Pure pieces on synthetic input: run anywhere (`npx vitest run --project unit`).
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['test/unit/onnx-dims.test.ts'] } },
      // Real models, photos and videos from the shared test-data folder, checked first by test/shared-data.ts.
      { test: { ...shared, name: 'data', include: ['test/**/*.test.ts', 'test/unit/onnx-dims.test.ts'], exclude: ['test/unit/!(onnx-dims).test.ts'], globalSetup: ['test/shared-data.ts'] } },
    ],
  },
});
