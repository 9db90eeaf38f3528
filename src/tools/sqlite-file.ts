import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { DATABASE_FILE, openDatabase } from '../store/sqlite/database';

/** No embedded store where the operator pointed. */
export class NoStoreError extends Error {
  constructor(readonly where: string) {
    super(`no embedded store at ${where} (expected a DATA_DIR folder holding ${DATABASE_FILE}, or an SQLite file)`);
    this.name = 'NoStoreError';
  }
}

/** The embedded store's file: `where` itself, or DATA_DIR/ensemble.db when `where` is a folder. Must exist. */
export function storeFile(where: string): string {
  const full = path.resolve(where);
  const file = existsSync(full) && statSync(full).isDirectory() ? path.join(full, DATABASE_FILE) : full;
  if (!existsSync(file) || !statSync(file).isFile()) throw new NoStoreError(where);
  return file;
}

/** Opens an existing embedded store as the bot does (its schema brought up to date: a backup may be older). */
export function openSqliteFile(where: string): { db: DatabaseSync; file: string } {
  const file = storeFile(where);
  return { db: openDatabase(path.dirname(file), path.basename(file)), file };
}
