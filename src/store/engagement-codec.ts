import type { Engagement } from '../domain/engagement';

/** What both stores keep as one document beside the indexed columns (dates as ISO text). */
export interface EngagementBody {
  role: string;
  domains: string[];
  timePercent: number;
  motivation: string;
  project: string;
  start: string;
  listed: boolean;
  managerApprovedAt: string | null;
  labApprovedBy: string | null;
  labApprovedAt: string | null;
  activeFrom: string | null;
  termEnd: string | null;
  evaluation: Record<string, string> | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function engagementBody(e: Omit<Engagement, 'id' | 'personId' | 'managerId' | 'state' | 'renewalOf' | 'createdAt' | 'updatedAt'>): EngagementBody {
  return {
    role: e.role,
    domains: e.domains,
    timePercent: e.timePercent,
    motivation: e.motivation,
    project: e.project,
    start: e.start,
    listed: e.listed,
    managerApprovedAt: iso(e.managerApprovedAt),
    labApprovedBy: e.labApprovedBy,
    labApprovedAt: iso(e.labApprovedAt),
    activeFrom: iso(e.activeFrom),
    termEnd: iso(e.termEnd),
    evaluation: e.evaluation,
  };
}

export function fromBody(head: Pick<Engagement, 'id' | 'personId' | 'managerId' | 'state' | 'renewalOf' | 'createdAt' | 'updatedAt'>, b: EngagementBody): Engagement {
  return {
    ...head,
    role: b.role,
    domains: b.domains,
    timePercent: b.timePercent,
    motivation: b.motivation,
    project: b.project,
    start: b.start,
    listed: b.listed,
    managerApprovedAt: date(b.managerApprovedAt),
    labApprovedBy: b.labApprovedBy,
    labApprovedAt: date(b.labApprovedAt),
    activeFrom: date(b.activeFrom),
    termEnd: date(b.termEnd),
    evaluation: b.evaluation,
  };
}

/** The body after a transition's `set`. */
export function withSet(e: Engagement, set: Partial<Engagement> | undefined): Engagement {
  return set ? { ...e, ...set } : e;
}
