import type { Platform } from './people';

export type Audience =
  | { kind: 'everyone' }
  | { kind: 'pilots' }
  | { kind: 'organisers' }
  | { kind: 'axis'; axisId: string }
  | { kind: 'channel'; platform: Platform; channel: string };

export type Schedule = { kind: 'now' } | { kind: 'at'; at: Date } | { kind: 'cron'; cron: string };

export type BroadcastState = 'draft' | 'scheduled' | 'done' | 'cancelled';

/**
 * What « J'ai lu » means on a broadcast: nothing (no button), a count of readers, or a named acknowledgement
 * of a mandatory notice (its recipients are told on the card that their name is recorded).
 */
export type Acknowledgement = 'counted' | 'named';

export interface Broadcast {
  id: number;
  /** Formatted text (the card model's Markdown subset). */
  message: string;
  link?: { label: string; url: string };
  audience: Audience;
  schedule: Schedule;
  /** « J'ai lu » on the card; absent: no button. */
  ack?: Acknowledgement;
  /** An organiser's « important » broadcast: goes through quiet hours and « off » (never a pause). */
  important?: boolean;
  state: BroadcastState;
  createdBy: string;
  createdAt: Date;
  /** When the next run is due; absent once done or cancelled. */
  nextRunAt?: Date;
  /** How many runs have been queued (a recurring broadcast runs many times). */
  runs: number;
  lastRunAt?: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
}

export type NewBroadcast = Pick<Broadcast, 'message' | 'link' | 'audience' | 'schedule' | 'createdBy' | 'createdAt' | 'ack' | 'important'>;

/** The links of a broadcast a recipient can follow, by number: 0 is the link button. */
export function broadcastLinks(b: Pick<Broadcast, 'link'>): string[] {
  return b.link ? [b.link.url] : [];
}

/** What a broadcast's recipients did with it: people, never who (except a named acknowledgement's export). */
export interface ReadingFigures {
  /** People who pressed « J'ai lu » (once each). */
  acknowledged: number;
  /** People who followed at least one of its links. */
  clickers: number;
}

/** A named acknowledgement: who, and when. */
export interface Acknowledged {
  personId: string;
  at: Date;
}
