import { z } from 'zod';
import { looksLikeJson } from './ideas';

/**
 * Communities (seed 004): the ambassadors' community, progress groups (groupes de progrès), the internal
 * academy (training by agents for agents) and the managers' community. The programme file lists some;
 * organisers add more in chat. People join and leave in one click; a community is a broadcast audience
 * and has its own agenda of events.
 */
export type CommunityKind = 'ambassadeurs' | 'groupe_progres' | 'academie' | 'managers' | 'autre';
export const COMMUNITY_KINDS: readonly CommunityKind[] = ['ambassadeurs', 'groupe_progres', 'academie', 'managers', 'autre'];

/** A progress group analyses a problem, works out leads, then builds a concrete proposal. */
export type ProgressStage = 'analyse' | 'pistes' | 'proposition';
export const PROGRESS_STAGES: readonly ProgressStage[] = ['analyse', 'pistes', 'proposition'];

export const COMMUNITY_NAME_MAX = 80;
export const COMMUNITY_DESCRIPTION_MAX = 1000;
export const COMMUNITY_PROBLEM_MAX = 1000;
export const TRAINING_SUBJECT_MAX = 300;

export interface CommunityChannel {
  slack?: string;
  teams?: string;
}

export interface Community {
  /** Stable short id used in commands (`/ensemble communaute <id>`). */
  id: string;
  name: string;
  kind: CommunityKind;
  description: string;
  channel?: CommunityChannel;
  /** A progress group's problem. */
  problem?: string;
  /** A progress group's stage (analyse first). */
  stage?: ProgressStage;
  /** Who created it in chat; `programme` for the programme file's. */
  createdBy: string;
  createdAt: Date;
}

export type NewCommunity = Pick<Community, 'id' | 'name' | 'kind' | 'description' | 'channel' | 'problem' | 'createdBy'>;

/** A progress group's change of stage: who, when. */
export interface StageStep {
  communityId: string;
  stage: ProgressStage;
  by: string;
  at: Date;
}

/** « Je peux former sur… »: an agent offers to train others (it reaches the organisers). */
export interface TrainingOffer {
  id: number;
  personId: string;
  subject: string;
  at: Date;
}

export interface Membership {
  communityId: string;
  personId: string;
  at: Date;
}

/** The id of a community created in chat: its name folded to a slug. */
export function communitySlug(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 36)
    .replace(/-+$/g, '');
  // the sub-command words of `communaute` would open the form instead of the card: such a name gets a suffix
  if (RESERVED_SLUGS.has(slug)) return `${slug}-groupe`;
  return slug || 'communaute';
}

/** Words `communaute <mot>` reads as a sub-command (src/app/communities/routes.ts). */
const RESERVED_SLUGS = new Set(['nouvelle', 'creer', 'new', 'create']);

const text = (max: number, code: string) =>
  z
    .string()
    .trim()
    .max(max, `${code}.tooLong`)
    .refine((t) => !looksLikeJson(t), `${code}.invalid`);

/** What an organiser fills in to create a community in chat. */
export const communityInputSchema = z.object({
  name: text(COMMUNITY_NAME_MAX, 'name').pipe(z.string().min(1, 'name.empty')),
  kind: z.enum(COMMUNITY_KINDS as [CommunityKind, ...CommunityKind[]], { error: 'kind.invalid' }),
  description: text(COMMUNITY_DESCRIPTION_MAX, 'description').default(''),
  problem: text(COMMUNITY_PROBLEM_MAX, 'problem').default(''),
});

export type CommunityInput = z.input<typeof communityInputSchema>;

/** The subject of a training offer. */
export const trainingSubjectSchema = text(TRAINING_SUBJECT_MAX, 'subject').pipe(z.string().min(1, 'subject.empty'));
