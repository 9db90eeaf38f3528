/**
 * Told, when a due job (an event job, a broadcast run) starts, what it is (`event.reminder`,
 * `broadcast`…) and how many ms after its due time: the job lag on /metrics. Must not throw.
 */
export type JobLateness = (kind: string, lateMs: number) => void;
