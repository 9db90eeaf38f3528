import type { Platform } from './people';

/**
 * One message to deliver, stored before it is sent (the outbox). Its state changes only after the
 * platform has answered, so a crash loses nobody: what was pending is sent by whoever takes over.
 */
export type OutboxState = 'pending' | 'sent' | 'failed' | 'cancelled';

export type OutboxTarget =
  | { kind: 'person'; personId: string }
  | { kind: 'channel'; platform: Platform; channel: string; serviceUrl?: string }
  /** The answer to a request, where the platform said to send it (Slack's response_url). */
  | { kind: 'response'; url: string };

/**
 * Which dispatcher sends a message: `reply` for the answers to people's requests (sent at once, never
 * behind a broadcast), `bulk` for everything the bot sends on its own (broadcasts, reminders, notices).
 */
export type Lane = 'reply' | 'bulk';

export interface OutboxMessage {
  id: string;
  /** Unique: the same message is never queued twice (e.g. `b12:r1:slack:T1/U3`). */
  key: string;
  /** What the message belongs to (a broadcast run, a reminder…), for reports and cancellation. */
  source: string;
  platform: Platform;
  target: OutboxTarget;
  /** What to send, as JSON (a card of the platform-neutral card model, or a file), rendered at send time. */
  payload: string;
  lane: Lane;
  state: OutboxState;
  attempts: number;
  /** Not before this time (scheduling, backoff, Retry-After). */
  dueAt: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  /** true: not retried (person left, app uninstalled, channel archived). */
  permanent?: boolean;
  sentAt?: Date;
  createdAt: Date;
  /** Set by a claim that took the message from a lease that had run out (its holder died or stalled). */
  takenOver?: boolean;
}

export type NewOutboxMessage = Pick<OutboxMessage, 'key' | 'source' | 'platform' | 'target' | 'payload' | 'dueAt'> & {
  /** Default `bulk`. */
  lane?: Lane;
};

export interface OutboxReport {
  targeted: number;
  sent: number;
  failed: number;
  pending: number;
  cancelled: number;
  /** Failure reasons with their counts. */
  reasons: Array<{ reason: string; count: number }>;
}

/**
 * The work waiting in one lane of the outbox right now: `pending` messages nobody holds (due or not), and
 * `leased` ones, held by a live lease (being sent). Messages done (sent, failed, cancelled) are not counted:
 * that would read the whole outbox, which only grows; the send counters tell them.
 */
export interface OutboxDepth {
  lane: Lane;
  state: 'pending' | 'leased';
  count: number;
}

/**
 * The outcome of one send attempt, as the platform sender classifies it; `rateLimited`: the platform
 * answered 429 (or its own "rate limited" error).
 */
export type SendOutcome =
  /** `messageId`: the platform's id of the message posted (Slack `ts`, Teams activity id), when it says. */
  { ok: true; messageId?: string } | { ok: false; permanent: true; reason: string } | { ok: false; permanent: false; reason: string; retryAfterMs?: number; rateLimited?: boolean };
