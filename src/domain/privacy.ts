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
  /** Files delivered (exports, contracts, calendar entries): their content goes once delivered; the row stays for the counts. */
  deliveredFiles: number;
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

/**
 * A word starts after anything but a letter or digit, or right after a JSON escape (`\n`, `\t`…: the text
 * of a card stored as JSON).
 */
const ESCAPE = String.raw`(?<=\\[nrtbf])`;

/** What may not touch a word's ends, for a name: letters, digits, `-` (« Paul Martin » is not in « Jean-Paul Martin »). */
const NAME_BEFORE = String.raw`[\p{L}\p{N}\-]`;
const NAME_AFTER = String.raw`[\p{L}\p{N}\-]|\.[\p{L}\p{N}]`;
/**
 * For an e-mail, also what its first part may hold (`martin@ville.fr` is not in `jp.martin@ville.fr` nor in
 * `jean_martin@ville.fr`); a `.` after it that ends a sentence is not part of it.
 */
const EMAIL_BEFORE = String.raw`[\p{L}\p{N}\-_.+]`;
const EMAIL_AFTER = String.raw`[\p{L}\p{N}\-]|\.[\p{L}\p{N}]`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word occurrences of `word` (a name, or an e-mail when it holds an `@`), in any case. */
export function wordPattern(word: string): RegExp {
  const email = word.includes('@');
  const before = email ? EMAIL_BEFORE : NAME_BEFORE;
  const after = email ? EMAIL_AFTER : NAME_AFTER;
  return new RegExp(`(?:${ESCAPE}|(?<!${before}))${escapeRegExp(word)}(?!${after})`, 'giu');
}

/**
 * The same text with the identifying words replaced, also where they sit JSON-escaped in a JSON text.
 * Words shorter than 3 characters are left (they would hit other words).
 */
export function scrub(text: string, words: readonly string[], replacement: string): string {
  let out = text;
  for (const w of words) {
    if (w.length < 3) continue;
    // a name or an e-mail: whole words; a platform id (`U0123ABCD`, `29:1a2b…`): wherever it stands whole (`<@U0123ABCD>`)
    if (!/[\s@]/.test(w)) {
      out = replaceId(out, w, replacement);
      continue;
    }
    out = out.replace(wordPattern(w), () => replacement);
    const json = JSON.stringify(w).slice(1, -1);
    if (json !== w) out = out.replace(wordPattern(json), () => replacement);
  }
  return out;
}

/**
 * The person's id replaced by the pseudonym wherever it appears whole (a key such as `…:promoted:<id>@<time>`
 * too: ids are distinctive, only a letter or digit around one makes it another id).
 */
export function replaceId(text: string, id: string, pseudonym: string): string {
  return text.replace(new RegExp(`(?:${ESCAPE}|(?<![\\p{L}\\p{N}_]))${escapeRegExp(id)}(?![\\p{L}\\p{N}_])`, 'gu'), () => pseudonym);
}

/**
 * What the store is searched with first, for a word (a coarse filter, then the patterns above decide): the
 * word in lower case, and, since SQLite's lower() folds ASCII letters only, its longest run of ASCII letters
 * (« vasseur » finds « HÉLÈNE VASSEUR »).
 */
export function searchKeys(word: string): string[] {
  const keys = new Set([word.toLowerCase(), asciiLower(word)]);
  const runs =
    word
      .match(/[\x20-\x7e]{3,}/g)
      ?.map((r) => r.trim())
      .filter((r) => r.length >= 3) ?? [];
  const longest = runs.sort((x, y) => y.length - x.length)[0];
  if (longest && longest.length < word.length) keys.add(longest.toLowerCase());
  return [...keys];
}

/**
 * A display name is searched for in other people's texts only when it cannot be an ordinary word: two words
 * or more, 5 characters or more (« Lab », « Marie » are left; their ids and e-mail are still removed).
 */
export function nameIsSearchable(name: string): boolean {
  const trimmed = name.trim();
  return trimmed.length >= 5 && /\s/.test(trimmed);
}

/** Tables (collections) where only the person's id is replaced, never words: other people's identities live there. */
export const IDENTITY_TABLES: ReadonlySet<string> = new Set(['people', 'role_assignments', 'conversations']);

/** Lower case as SQLite's lower() does it: ASCII letters only. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** What an outbox message's content becomes once it must not be kept (its row is done: it is never sent). */
export const TOMBSTONE = 'erased';
export const TOMBSTONE_PAYLOAD = '{"kind":"erased"}';
