import type { Platform } from './people';
import { peopleText } from './people-text';

export type Audience =
  | { kind: 'everyone' }
  | { kind: 'pilots' }
  | { kind: 'organisers' }
  | { kind: 'axis'; axisId: string }
  /** A community's members (src/domain/communities.ts). */
  | { kind: 'community'; communityId: string }
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

/** A link as an organiser writes it in a broadcast's message (the card model's, `organiserLinks`). */
const MESSAGE_LINK_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;

/** The addresses of the links in a broadcast's message, in order. */
export function messageLinks(message: string): string[] {
  return [...peopleText(message).matchAll(MESSAGE_LINK_RE)].map((m) => m[2]);
}

/**
 * The links of a broadcast a recipient can follow, by number: 0 is the link button (undefined without
 * one), 1, 2… the links of its message. The only addresses `/r/<token>` leads to.
 */
export function broadcastLinks(b: Pick<Broadcast, 'link' | 'message'>): Array<string | undefined> {
  return [b.link?.url, ...messageLinks(b.message)];
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
