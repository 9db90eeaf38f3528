import { z } from 'zod';
import type { Programme } from './programme';

/**
 * An ambassador's or équipier's engagement (seeds 003, 004): a request signed twice in chat, by the line
 * manager then by the Lab' (the organisers), then a term of `engagement.termMonths`, an evaluation and
 * possibly a renewal, and the right to withdraw at any time.
 *
 *   pending_manager → pending_lab → active → ended (term reached, or renewed)
 *          ↘ refused / expired   ↘ refused        ↘ withdrawn (any open state)
 */
export type EngagementState = 'pending_manager' | 'pending_lab' | 'active' | 'ended' | 'withdrawn' | 'refused' | 'expired';

export const ENGAGEMENT_STATES: readonly EngagementState[] = ['pending_manager', 'pending_lab', 'active', 'ended', 'withdrawn', 'refused', 'expired'];

/** States in which the person holds their one engagement (a second request is refused). */
export const OPEN_STATES: readonly EngagementState[] = ['pending_manager', 'pending_lab', 'active'];

export function isOpen(state: EngagementState): boolean {
  return OPEN_STATES.includes(state);
}

/** What the agent asks for, from the sign-up form. */
export interface EngagementRequest {
  role: string;
  domains: string[];
  timePercent: number;
  motivation: string;
  project: string;
  /** Preferred start, a local day "YYYY-MM-DD". */
  start: string;
  /** Listed in `/ensemble ambassadeurs` for anyone looking for a contact. */
  listed: boolean;
}

export interface Engagement extends EngagementRequest {
  id: number;
  personId: string;
  /** The line manager (a person id); null once the manager's data was erased. */
  managerId: string | null;
  state: EngagementState;
  /** The engagement this one renews (its term follows on). */
  renewalOf: number | null;
  createdAt: Date;
  updatedAt: Date;
  managerApprovedAt: Date | null;
  labApprovedBy: string | null;
  labApprovedAt: Date | null;
  /** When the term starts and ends (set on activation). */
  activeFrom: Date | null;
  termEnd: Date | null;
  /** The evaluation at the end of the term (answers as given). */
  evaluation: Record<string, string> | null;
}

export interface NewEngagement extends EngagementRequest {
  personId: string;
  managerId: string;
  renewalOf?: number | null;
}

/** One transition: who moved it (a person id, or `system` for a job), when, and why. */
export interface EngagementStep {
  engagementId: number;
  state: EngagementState;
  by: string;
  at: Date;
  reason?: string;
}

/** A change of state, applied only if the engagement is still in one of `from` (a double click acts once). */
export interface EngagementTransition {
  from: readonly EngagementState[];
  to: EngagementState;
  by: string;
  at: Date;
  reason?: string;
  /** Fields set with the change (approvals, term, evaluation). */
  set?: Partial<Pick<Engagement, 'managerApprovedAt' | 'labApprovedBy' | 'labApprovedAt' | 'activeFrom' | 'termEnd' | 'evaluation'>>;
}

/** The sign-up form's fields, checked against the programme (field errors name the input). */
export function engagementFormSchema(programme: Programme) {
  const { minTimePercent, maxTimePercent } = programme.engagement;
  const roles = programme.ambassadorRoles.map((r) => r.id);
  const domains = programme.missionDomains.map((d) => d.id);
  return z.object({
    role: z.string({ error: 'role.invalid' }).refine((v) => roles.includes(v), { error: 'role.invalid' }),
    domains: z
      .array(z.string())
      .min(1, { error: 'domains.none' })
      .refine((v) => v.every((d) => domains.includes(d)), { error: 'domains.none' }),
    timePercent: z.coerce
      .number({ error: 'time.outOfRange' })
      .int({ error: 'time.outOfRange' })
      .min(minTimePercent, { error: 'time.outOfRange' })
      .max(maxTimePercent, { error: 'time.outOfRange' }),
    motivation: z.string().trim().min(1, { error: 'motivation.empty' }).max(1500, { error: 'motivation.tooLong' }),
    project: z.string().trim().max(300, { error: 'project.tooLong' }),
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'start.invalid' }),
    listed: z.boolean(),
  });
}

/** The end of a term that starts at `from`: `months` calendar months later (the last day if shorter). */
export function termEndOf(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Reminders to the manager while the request waits, and its expiry (days after the request). */
export const MANAGER_REMINDER_DAYS = [3, 7] as const;
export const REQUEST_EXPIRY_DAYS = 30;
/** Reminders before the term's end (days before). */
export const TERM_REMINDER_DAYS = [30, 7] as const;

/** The evaluation form's questions (answers reach the organisers). */
export const EVALUATION_FIELDS = ['brought', 'gained', 'hours', 'continue'] as const;
