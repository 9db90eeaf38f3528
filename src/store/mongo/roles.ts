import type { Collection, ObjectId } from 'mongodb';
import type { RoleRepository } from '../../domain/ports';
import type { RoleAssignment, RoleName } from '../../domain/roles';
import { createIndexes } from './compat';

export interface RoleDoc {
  _id?: ObjectId;
  subject: string;
  role: RoleName;
  axisId?: string;
  active: boolean;
  by: string;
  at: Date;
}

function toAssignment(d: RoleDoc): RoleAssignment {
  return { subject: d.subject, role: d.role, ...(d.axisId ? { axisId: d.axisId } : {}), active: d.active, by: d.by, at: d.at };
}

export class MongoRoles implements RoleRepository {
  constructor(private readonly col: Collection<RoleDoc>) {}

  static async indexes(col: Collection<RoleDoc>): Promise<void> {
    await createIndexes(col, [{ key: { subject: 1, at: 1 }, name: 'roles_subject_at' }]);
  }

  async save(a: RoleAssignment): Promise<void> {
    const doc: RoleDoc = { subject: a.subject, role: a.role, active: a.active, by: a.by, at: a.at };
    if (a.axisId) doc.axisId = a.axisId;
    await this.col.insertOne(doc);
  }

  async forSubjects(subjects: string[]): Promise<RoleAssignment[]> {
    if (subjects.length === 0) return [];
    return (
      await this.col
        .find({ subject: { $in: subjects } })
        .sort({ at: 1, _id: 1 })
        .toArray()
    ).map(toAssignment);
  }

  async all(): Promise<RoleAssignment[]> {
    return (await this.col.find({}).sort({ at: 1, _id: 1 }).toArray()).map(toAssignment);
  }
}
