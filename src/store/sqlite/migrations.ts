/**
 * Versioned schema migrations of the embedded store. Each entry moves the schema one version up
 * (tracked with PRAGMA user_version). Never edit a released migration: append a new one.
 */
export const migrations: string[] = [
  // 1: people and role decisions
  `
  CREATE TABLE people (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL CHECK (platform IN ('slack','teams')),
    tenant TEXT NOT NULL,
    user TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    locale TEXT,
    teams_ref TEXT,
    teams_user_id TEXT,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX people_email ON people (email);
  CREATE INDEX people_teams_user ON people (teams_user_id);
  CREATE TABLE role_assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('pilote','organisateur')),
    axis_id TEXT,
    active INTEGER NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX role_assignments_subject ON role_assignments (subject);
  `,
];
