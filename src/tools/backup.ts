import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { storeFile } from './sqlite-file';

/**
 * A consistent copy of the embedded store while the bot runs, through SQLite's online backup API
 * (node:sqlite `backup()`): the pages are copied in one step, inside one read transaction of the source, so
 * the copy is of one moment even while the bot writes (WAL: the bot's writes are not blocked meanwhile).
 * The copy is written to a temporary file beside FILE, checked (`PRAGMA quick_check`), turned into a single
 * self-contained file (rollback journal, no -wal beside it), then renamed to FILE: FILE is whole, or absent.
 */

export interface BackupOptions {
  /** The store: DATA_DIR, or its SQLite file. */
  from: string;
  /** Where the copy goes. */
  to: string;
  /** Replace FILE when it exists. */
  force?: boolean;
}

export interface BackupResult {
  source: string;
  file: string;
  pages: number;
  pageSize: number;
  /** The file's size. */
  bytes: number;
}

/** FILE exists and --force was not given; nothing was written. */
export class BackupExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} exists; choose another file, or pass --force to replace it`);
    this.name = 'BackupExistsError';
  }
}

/** Pages copied per step: all of them at once (a positive int32, as node:sqlite requires). */
const ALL_PAGES = 2 ** 31 - 1;

export async function backupStore(o: BackupOptions): Promise<BackupResult> {
  const source = storeFile(o.from);
  const file = path.resolve(o.to);
  if (file === source) throw new Error(`${file} is the store itself; choose another file`);
  if (existsSync(file) && !o.force) throw new BackupExistsError(file);
  const partial = `${file}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    await backup(db, partial, { rate: ALL_PAGES });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  let pages: number;
  let pageSize: number;
  const copy = new DatabaseSync(partial);
  try {
    const check = (copy.prepare('PRAGMA quick_check').get() as { quick_check: string }).quick_check;
    if (check !== 'ok') throw new Error(`the copy failed its check: ${check}`);
    copy.exec('PRAGMA journal_mode = DELETE'); // one file, nothing beside it
    pages = Number((copy.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
    pageSize = Number((copy.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
  } catch (e) {
    copy.close();
    rmSync(partial, { force: true });
    throw e;
  }
  copy.close();
  // a replaced store's journal files would be applied to the new copy when it is opened
  for (const extra of ['-wal', '-shm', '-journal']) rmSync(`${file}${extra}`, { force: true });
  renameSync(partial, file);
  return { source, file, pages, pageSize, bytes: statSync(file).size };
}
