/**
 * A seeded uniform random number generator in [0, 1) (mulberry32, Tommy Ettinger's public-domain
 * generator), so that a benchmark builds the same synthetic data on every run.
 */
export function seededRandom(seed) {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
