/**
 * The audit trail of privileged actions: who did what, to what, and when. Append-only: an entry is never
 * changed, except its actor replaced by a pseudonym when that person's data is erased, and entries older
 * than the programme's audit duration purged. An entry carries no message text (no idea text, no broadcast
 * text, no reason typed by someone): only ids and short scalar facts.
 */
export const AUDIT_ACTIONS = [
  'role.grant',
  'role.revoke',
  'idea.hide',
  'idea.merge',
  'idea.status',
  'export.ideas',
  'export.engagements',
  'export.consultation',
  'export.registrations',
  'export.feedback',
  'export.reading',
  'export.audit',
  'broadcast.confirm',
  'broadcast.cancel',
  'event.cancel',
  'consultation.launch',
  'consultation.close',
  'engagement.labAccept',
  'engagement.labRefuse',
  'erasure',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Short scalar facts about an action (a role's name, an axis id, a status, a count): never free text. */
export type AuditDetail = Record<string, string | number | boolean>;

export interface NewAuditEntry {
  at: Date;
  /** The person id of who acted (a pseudonym once that person's data is erased). */
  actor: string;
  action: AuditAction;
  /** What it was done to: `idea:12`, `person:<id>`, `email:<address>`, `broadcast:3`, `event:4`, `consultation:2`… */
  subject: string;
  detail?: AuditDetail;
}

export interface AuditEntry extends NewAuditEntry {
  /** Increasing with each append: the paging cursor. */
  seq: number;
}

/** The longest a detail value may be: a detail is a fact, not a text. */
export const AUDIT_DETAIL_MAX = 80;

/** Keeps only scalar values, each cut short: an entry never carries a message. */
export function cleanDetail(detail: Record<string, unknown> | undefined): AuditDetail | undefined {
  if (!detail) return undefined;
  const out: AuditDetail = {};
  for (const [k, v] of Object.entries(detail)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    else if (typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string') out[k] = v.slice(0, AUDIT_DETAIL_MAX);
  }
  return Object.keys(out).length ? out : undefined;
}

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}
