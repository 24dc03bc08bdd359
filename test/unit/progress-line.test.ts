import { describe, expect, it } from 'vitest';
import { clock, fit, progressLine } from '../../src/ui/progress-line.js';

describe('progress line', () => {
  it('cuts long names in the middle with an ellipsis, keeping the extension', () => {
    expect(fit('short.mp4', 20)).toBe('short.mp4');
    expect(fit('a_very_long_name_of_a_recording.mp4', 15)).toBe('a_very_…ing.mp4');
    expect([...fit('a_very_long_name_of_a_recording.mp4', 15)]).toHaveLength(15);
  });

  it('fits the terminal, with the bar full only when everything is done', () => {
    const state = { label: 'x'.repeat(80), done: 109, total: 110, elapsed: 10.9, unit: 'frames' as const };
    const line = progressLine(state, 80);
    expect(line.length).toBeLessThan(80);
    expect(line).toMatch(/\[#+-\] 109\/110 frames 10\.0 fps ETA 0:00$/);
    expect(progressLine({ ...state, done: 110 }, 80)).toMatch(/\[#+\] 110\/110 frames/);
    expect(progressLine({ ...state, total: undefined }, 80)).toMatch(/…x+ 109 frames 10\.0 fps ETA --:--$/);
    expect(progressLine({ label: '6 files', done: 2, total: 6, elapsed: 60, unit: 'files' }, 100)).toMatch(/^6 files \[#+-+\] 2\/6 files 2\.0\/min ETA 2:00$/);
  });

  it('writes durations as m:ss or h:mm:ss', () => {
    expect([clock(0), clock(61.4), clock(3725), clock(Infinity), clock(-1)]).toEqual(['0:00', '1:01', '1:02:05', '--:--', '--:--']);
  });
});
