import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: the end-to-end files each run ffmpeg and onnxruntime, so they take turns.
    fileParallelism: false,
  },
});
