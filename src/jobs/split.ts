import type { PacketTime } from '../media/packets.js';
import type { SegmentSpec } from '../pipeline/segment.js';

/**
 * A last segment shorter than this share of `segmentSeconds` joins the one before it: its pre-roll
 * and start-up would cost more than it saves.
 */
const SHORTEST_LAST = 0.25;

/** Printed times are rounded (to 1 µs by ffprobe): a keyframe exactly one segment on may print a hair short of it. */
const TIME_SLACK = 0.0005;

/**
 * Splits a video at its keyframes into segments of at least `segmentSeconds` each (the last may be
 * shorter): each segment starts at the first keyframe at or after the previous start plus
 * `segmentSeconds`, so that its decode starts cleanly there. `packets` are the video's packets in
 * presentation order (packetTimes). One segment (the whole video) when it is not longer than
 * `segmentSeconds` or has no keyframe to split at.
 */
export function splitAtKeyframes(packets: readonly PacketTime[], segmentSeconds: number): SegmentSpec[] {
  const starts = [0];
  const end = packets.length > 0 ? packets[packets.length - 1]!.pts : 0;
  packets.forEach((p, i) => {
    const previous = packets[starts[starts.length - 1]!]!.pts;
    if (p.key && p.pts - previous >= segmentSeconds - TIME_SLACK && end - p.pts >= SHORTEST_LAST * segmentSeconds) starts.push(i);
  });
  return starts.map((first, k) => ({ first, count: (starts[k + 1] ?? packets.length) - first, pts: packets[first]?.pts ?? 0 }));
}
