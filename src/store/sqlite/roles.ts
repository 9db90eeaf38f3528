import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RoleRepository } from '../../domain/ports';
import type { RoleAssignment, RoleName } from '../../domain/roles';

export interface RoleRow {
  subject: string;
  role: RoleName;
  axis_id: string | null;
  active: number;
  by: string;
  at: number;
}

export function toAssignment(r: RoleRow): RoleAssignment {
  return {
    subject: r.subject,
    role: r.role,
    ...(r.axis_id ? { axisId: r.axis_id } : {}),
    active: r.active === 1,
    by: r.by,
    at: new Date(r.at),
  };
}

export class SqliteRoles implements RoleRepository {
  private readonly insert: StatementSync;
  private readonly everything: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.insert = db.prepare('INSERT INTO role_assignments (subject, role, axis_id, active, by, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.everything = db.prepare('SELECT * FROM role_assignments ORDER BY at, seq');
  }

  async save(a: RoleAssignment): Promise<void> {
    this.insert.run(a.subject, a.role, a.axisId ?? null, a.active ? 1 : 0, a.by, a.at.getTime());
  }

  async forSubjects(subjects: string[]): Promise<RoleAssignment[]> {
    if (subjects.length === 0) return [];
    const marks = subjects.map(() => '?').join(',');
    const rows = this.db.prepare(`SELECT * FROM role_assignments WHERE subject IN (${marks}) ORDER BY at, seq`).all(...subjects) as unknown as RoleRow[];
    return rows.map(toAssignment);
  }

  async all(): Promise<RoleAssignment[]> {
    return (this.everything.all() as unknown as RoleRow[]).map(toAssignment);
  }
}
