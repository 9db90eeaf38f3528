import type { LocalisedText } from './locale';

/**
 * Privacy settings of the programme file (`privacy:`): who the controller is, how to reach the data
 * protection officer, what the data is for, and how long each kind of data is kept. Safe defaults.
 */
export interface PrivacySettings {
  /** The controller (the public body); default: the programme's `organisation`. */
  controller?: string;
  /** The data protection officer's contact (Art. 37–39 GDPR). */
  dpo?: { name?: string; email?: string; url?: string };
  /** What the data is processed for; default: the programme's purposes in the notice's own words. */
  purposes?: LocalisedText[];
  /** An erased person's ideas: kept, credited to « Agent anonyme » (default), or deleted. */
  erasedIdeas: 'anonymise' | 'delete';
  retention: RetentionSettings;
  /** When the daily retention pass runs, local time. */
  dailyAt: string;
}

export interface RetentionSettings {
  /** Messages delivered (sent, failed, cancelled) are kept this many days for the reports. */
  deliveredMessagesDays: number;
  /** Records of the requests handled (replays and retries). */
  requestRecordsDays: number;
  /** Feedback comments are removed this many months after their event (the ratings stay). */
  feedbackCommentsMonths: number;
  /** People not seen for this many months are told, then erased `inactiveNoticeDays` later unless they answer. */
  inactiveMonths: number;
  inactiveNoticeDays: number;
  /** Drafts (a quick idea waiting for its axis, a form's preview). */
  draftsDays: number;
  /** The audit trail of privileged actions. */
  auditMonths: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  deliveredMessagesDays: 90,
  requestRecordsDays: 90,
  feedbackCommentsMonths: 12,
  inactiveMonths: 24,
  inactiveNoticeDays: 30,
  draftsDays: 7,
  auditMonths: 60,
};

export const DEFAULT_PRIVACY: PrivacySettings = { erasedIdeas: 'anonymise', retention: DEFAULT_RETENTION, dailyAt: '03:30' };

/** What erasing a person changes in the store: the pseudonym that replaces their id, and what else it touches. */
export interface ErasureRequest {
  personId: string;
  /** Replaces the person id everywhere it stays (supports counted, ideas credited, history): `erased:<random>`. */
  pseudonym: string;
  /**
   * Other words that identify the person (display name, e-mail, platform user id): removed wherever they
   * appear in texts the store keeps (a message queued to someone else, a reason). Whole words only.
   */
  identifying: string[];
  /** Replaces those words. */
  replacement: string;
  /** The programme's choice for the person's ideas. */
  ideas: 'anonymise' | 'delete';
}

/** What an erasure changed, by table or collection (counts only: it is logged). */
export type ErasureReport = Record<string, number>;

/** What a retention pass removed, by kind (counts only: it is logged). */
export interface RetentionReport {
  deliveredMessages: number;
  requestRecords: number;
  feedbackComments: number;
  drafts: number;
  audit: number;
}

/** Everything the store holds that mentions a person, by table or collection, as stored. */
export type PersonData = Record<string, Array<Record<string, unknown>>>;

/** The pseudonym an erased person's id becomes: no link to the person is left. */
export const ERASED_PREFIX = 'erased:';

export function isErased(personId: string): boolean {
  return personId.startsWith(ERASED_PREFIX);
}

/** Whole-word occurrences of `word` (letters and digits around it do not count). */
export function wordPattern(word: string): RegExp {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'giu');
}

/**
 * The same text with the identifying words replaced, also where they sit JSON-escaped in a JSON text.
 * Words shorter than 3 characters are left (they would hit other words).
 */
export function scrub(text: string, words: readonly string[], replacement: string): string {
  let out = text;
  for (const w of words) {
    if (w.length < 3) continue;
    out = out.replace(wordPattern(w), () => replacement);
    const json = JSON.stringify(w).slice(1, -1);
    if (json !== w) out = out.replace(wordPattern(json), () => replacement);
  }
  return out;
}
