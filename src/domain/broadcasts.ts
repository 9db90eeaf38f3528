import type { Platform } from './people';

export type Audience =
  | { kind: 'everyone' }
  | { kind: 'pilots' }
  | { kind: 'organisers' }
  | { kind: 'axis'; axisId: string }
  | { kind: 'channel'; platform: Platform; channel: string };

export type Schedule = { kind: 'now' } | { kind: 'at'; at: Date } | { kind: 'cron'; cron: string };

export type BroadcastState = 'draft' | 'scheduled' | 'done' | 'cancelled';

export interface Broadcast {
  id: number;
  /** Formatted text (the card model's Markdown subset). */
  message: string;
  link?: { label: string; url: string };
  audience: Audience;
  schedule: Schedule;
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

export type NewBroadcast = Pick<Broadcast, 'message' | 'link' | 'audience' | 'schedule' | 'createdBy' | 'createdAt'>;
