import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { InstanceBeat, InstanceRepository } from '../../domain/ports';

interface Row {
  owner: string;
  seen_at: number;
  busy: number;
  starts_at: number | null;
}

export class SqliteInstances implements InstanceRepository {
  private readonly beat_: StatementSync;
  private readonly live_: StatementSync;
  private readonly leave_: StatementSync;

  constructor(db: DatabaseSync) {
    this.beat_ = db.prepare(
      'INSERT INTO instances (owner, seen_at, busy, starts_at) VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET seen_at = excluded.seen_at, busy = excluded.busy, starts_at = excluded.starts_at',
    );
    this.live_ = db.prepare('SELECT owner, seen_at, busy, starts_at FROM instances WHERE seen_at >= ? ORDER BY owner');
    this.leave_ = db.prepare('DELETE FROM instances WHERE owner = ? OR seen_at < ?');
  }

  async beat(b: InstanceBeat): Promise<void> {
    this.beat_.run(b.owner, b.seenAt.getTime(), b.busy ? 1 : 0, b.startsAt ? b.startsAt.getTime() : null);
  }

  async live(since: Date): Promise<InstanceBeat[]> {
    return (this.live_.all(since.getTime()) as unknown as Row[]).map((r) => ({
      owner: r.owner,
      seenAt: new Date(r.seen_at),
      busy: r.busy === 1,
      startsAt: r.starts_at === null ? null : new Date(r.starts_at),
    }));
  }

  async leave(owner: string, before: Date): Promise<void> {
    this.leave_.run(owner, before.getTime());
  }
}
