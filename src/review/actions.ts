import { z } from 'zod';
import {
  acceptCandidate,
  acceptCandidatesAbove,
  deleteTrack,
  dismissCandidate,
  addStaticRegion,
  setKeyframe,
  setTrackAction,
  setTrackLabel,
} from '../project/edit.js';
import type { Project } from '../project/schema.js';

const id = z.number().int().nonnegative();
const frame = z.number().int().nonnegative();
/** Frame pixels, x2/y2 exclusive. */
const box = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

/** What the page may ask to change: each maps to one pure edit of src/project/edit.ts. */
export const actionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('setAction'), id, action: z.enum(['redact', 'keep']) }),
  z.object({ op: z.literal('label'), id, label: z.string().max(200) }),
  z.object({ op: z.literal('delete'), id }),
  z.object({ op: z.literal('accept'), id }),
  z.object({ op: z.literal('dismiss'), id }),
  z.object({ op: z.literal('acceptAbove'), score: z.number().min(0).max(1) }),
  z.object({ op: z.literal('static'), box, first: frame, last: frame }),
  z.object({ op: z.literal('keyframe'), id, frame, box }),
]);
export type Action = z.infer<typeof actionSchema>;

/** The edit an action stands for, as a function from project to project. */
export function editFor(a: Action): (p: Project) => Project {
  switch (a.op) {
    case 'setAction':
      return (p) => setTrackAction(p, a.id, a.action);
    case 'label':
      return (p) => setTrackLabel(p, a.id, a.label);
    case 'delete':
      return (p) => deleteTrack(p, a.id);
    case 'accept':
      return (p) => acceptCandidate(p, a.id);
    case 'dismiss':
      return (p) => dismissCandidate(p, a.id);
    case 'acceptAbove':
      return (p) => acceptCandidatesAbove(p, a.score);
    case 'static':
      return (p) => addStaticRegion(p, a.box, a.first, a.last);
    case 'keyframe':
      return (p) => setKeyframe(p, a.id, a.frame, a.box);
  }
}
