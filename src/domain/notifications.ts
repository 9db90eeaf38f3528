/**
 * The kinds of message the bot sends on its own. Each person chooses, per kind, to get them at once, in
 * the digest only, or not at all (their preferences); the kind decides which choice applies.
 */
export type NotificationKind =
  /** Pilots' updates (points d'étape) to the followers of their axis. */
  | 'axisUpdates'
  /** News of ideas: a new idea for its axis's pilots, a status change for its author and supporters. */
  | 'ideaNews'
  /** Reminders and feedback polls of the events a person registered for. */
  | 'eventReminders'
  /** Organisers' broadcasts and event announcements. */
  | 'broadcasts'
  /** Consultations and flash polls put to the person, and their reminders. */
  | 'consultations'
  /** The weekly (or daily) digest itself. */
  | 'digest'
  /**
   * What a person must get whatever they chose: a change or cancellation of an event they registered for,
   * a place given from the waiting list, the answer to their question, a manager's request. Never "off",
   * still waits out quiet hours.
   */
  | 'service';

export const NOTIFICATION_KINDS = ['axisUpdates', 'ideaNews', 'eventReminders', 'broadcasts', 'consultations', 'digest'] as const satisfies readonly NotificationKind[];
