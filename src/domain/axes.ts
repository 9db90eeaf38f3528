/** Where a pilot's update stands. */
export type AxisUpdateStatus = 'on_track' | 'at_risk' | 'blocked' | 'done';

export const AXIS_UPDATE_STATUSES = ['on_track', 'at_risk', 'blocked', 'done'] as const satisfies readonly AxisUpdateStatus[];

/** A pilot's update (point d'étape) on their axis. */
export interface AxisUpdate {
  id: number;
  axisId: string;
  /** The pilot who wrote it (person id). */
  authorId: string;
  status: AxisUpdateStatus;
  /** 0–100, when the pilot gave it. */
  progress?: number;
  done: string;
  next: string;
  help?: string;
  link?: string;
  createdAt: Date;
  editedAt?: Date;
  /** Sent to the axis's followers (false: channel and digest only, the axis had one within the programme's interval). */
  reachedFollowers: boolean;
  /** 👏 count (one per person). */
  reactions: number;
  questions: number;
}

export type NewAxisUpdate = Pick<AxisUpdate, 'axisId' | 'authorId' | 'status' | 'progress' | 'done' | 'next' | 'help' | 'link' | 'createdAt' | 'reachedFollowers'>;

/** The axes one person follows. */
export interface PersonFollows {
  personId: string;
  axisIds: string[];
}

/** What a correction may change in an update. */
export type AxisUpdatePatch = Partial<Pick<AxisUpdate, 'status' | 'progress' | 'done' | 'next' | 'help' | 'link'>>;

/** A question asked on an update, and the pilot's answer. */
export interface AxisQuestion {
  id: number;
  updateId: number;
  askerId: string;
  text: string;
  askedAt: Date;
  answer?: string;
  answeredBy?: string;
  answeredAt?: Date;
}

/** Where an update was posted in an axis channel (the platform's message id: Slack `ts`, Teams activity id), to edit it in place. */
export interface AxisUpdatePost {
  updateId: number;
  platform: 'slack' | 'teams';
  channel: string;
  messageId: string;
}
