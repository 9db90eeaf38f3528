import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite';
import { BackupExistsError, backupStore } from '../../src/tools/backup';
import { runBackup } from '../../src/tools/backup-cli';
import type { CliIo } from '../../src/tools/cli';

const T0 = new Date('2026-11-23T08:00:00Z');

function captured(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

async function someIdeas(s: SqliteStore, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const idea = await s.ideas.create({
      title: `Idée ${i}`,
      description: 'x'.repeat(500),
      axisId: 'usager',
      hashtags: ['accueil'],
      anonymous: false,
      authorId: 'slack:T1/U1',
      createdAt: T0,
    });
    await s.ideas.addSupport(idea.id, 'slack:T1/U2', T0);
  }
}

describe('npm run backup', () => {
  let dir: string;
  let dataDir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ensemble-backup-'));
    dataDir = path.join(dir, 'data');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('copies the store while the bot has it open, prints its pages and size; the copy restores', async () => {
    const live = SqliteStore.open(dataDir);
    try {
      await someIdeas(live, 50);
      const installation = await live.installationId();
      const file = path.join(dir, 'copy.db');
      const io = captured();
      expect(await runBackup([file], { DATA_DIR: dataDir }, io)).toBe(0);
      expect(io.errors).toEqual([]);
      const out = io.lines.join('\n');
      expect(out).toMatch(new RegExp(`to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ pages of \\d+ bytes, \\d+\\.\\d\\d MB \\(\\d+ bytes\\), checked\\.`));
      const [, pages, pageSize, bytes] = out.match(/(\d+) pages of (\d+) bytes, [\d.]+ MB \((\d+) bytes\)/)!.map(Number);
      expect(pages * pageSize).toBe(bytes);
      expect(readFileSync(file).length).toBe(bytes);
      // one self-contained file: nothing beside it, no WAL to carry along
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(readFileSync(file).subarray(18, 20)).toEqual(Buffer.from([1, 1])); // rollback journal, not WAL
      await live.ideas.create({ title: 'Après la copie', description: '…', axisId: 'usager', hashtags: [], anonymous: false, authorId: 'slack:T1/U1', createdAt: T0 });

      // restore: stop the bot, replace the file in DATA_DIR, start
      await live.close();
      for (const extra of ['-wal', '-shm']) rmSync(path.join(dataDir, `ensemble.db${extra}`), { force: true });
      copyFileSync(file, path.join(dataDir, 'ensemble.db'));
      const restored = SqliteStore.open(dataDir);
      try {
        expect((await restored.ideas.all()).length).toBe(50);
        expect(await restored.installationId()).toBe(installation);
        expect((await restored.health()).ok).toBe(true);
      } finally {
        await restored.close();
      }
    } finally {
      await live.close();
    }
  });

  test('the copy is of one moment: writes during the backup are in it whole or not at all', async () => {
    const live = SqliteStore.open(dataDir);
    try {
      await someIdeas(live, 200);
      const file = path.join(dir, 'during.db');
      // the backup runs on another thread; the bot keeps writing (a support and its count in one transaction)
      const copying = backupStore({ from: dataDir, to: file });
      let written = 0;
      let settled = false;
      void copying.finally(() => {
        settled = true;
      });
      while (!settled && written < 2000) {
        await someIdeas(live, 1, 200 + written);
        written++;
        await new Promise((r) => setImmediate(r));
      }
      const result = await copying;
      expect(result.pages).toBeGreaterThan(0);
      const copy = new DatabaseSync(file, { readOnly: true });
      try {
        expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        const ideas = Number((copy.prepare('SELECT COUNT(*) AS n FROM ideas').get() as { n: number }).n);
        expect(ideas).toBeGreaterThanOrEqual(200);
        expect(ideas).toBeLessThanOrEqual(200 + written);
        // every idea's support count agrees with its supports: no half-written change
        expect(copy.prepare('SELECT COUNT(*) AS n FROM ideas i WHERE i.support_count <> (SELECT COUNT(*) FROM supports s WHERE s.idea_id = i.id)').get()).toEqual({ n: 0 });
        // an idea and its support are two transactions: the copy may fall between them, for the last idea only
        const supports = Number((copy.prepare('SELECT COUNT(*) AS n FROM supports').get() as { n: number }).n);
        expect([ideas - 1, ideas]).toContain(supports);
      } finally {
        copy.close();
      }
    } finally {
      await live.close();
    }
  });

  test('copies a stopped store too (no -wal beside it), from an SQLite file named with --from', async () => {
    const s = SqliteStore.open(dataDir);
    await someIdeas(s, 3);
    await s.close();
    expect(existsSync(path.join(dataDir, 'ensemble.db-wal'))).toBe(false);
    const file = path.join(dir, 'stopped.db');
    const io = captured();
    expect(await runBackup([file, '--from', path.join(dataDir, 'ensemble.db')], {}, io)).toBe(0);
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM ideas').get()).toEqual({ n: 3 });
    db.close();
  });

  test('an existing FILE is kept unless --force; with --force it is replaced', async () => {
    const s = SqliteStore.open(dataDir);
    await someIdeas(s, 2);
    try {
      const file = path.join(dir, 'exists.db');
      writeFileSync(file, 'precious');
      const io = captured();
      expect(await runBackup([file], { DATA_DIR: dataDir }, io)).toBe(1);
      expect(io.errors.join('\n')).toContain(`${file} exists; choose another file, or pass --force to replace it`);
      expect(readFileSync(file, 'utf8')).toBe('precious');
      await expect(backupStore({ from: dataDir, to: file })).rejects.toBeInstanceOf(BackupExistsError);

      expect(await runBackup([file, '--force'], { DATA_DIR: dataDir }, captured())).toBe(0);
      const db = new DatabaseSync(file, { readOnly: true });
      expect(db.prepare('SELECT COUNT(*) AS n FROM ideas').get()).toEqual({ n: 2 });
      db.close();
      // the store itself is never the target
      expect(await runBackup([path.join(dataDir, 'ensemble.db'), '--force'], { DATA_DIR: dataDir }, io)).toBe(1);
      expect(io.errors.join('\n')).toContain('is the store itself');
    } finally {
      await s.close();
    }
  });

  test.each([
    [[], 'FILE is required'],
    [['a.db', 'b.db'], 'one FILE only'],
    [['a.db', '--bogus'], "Unknown option '--bogus'"],
    [['a.db', '--from', ' '], '--from must name'],
  ])('refuses %j with a clear message and the usage (exit 2)', async (argv, message) => {
    const io = captured();
    expect(await runBackup(argv, {}, io)).toBe(2);
    expect(io.errors.join('\n')).toContain(message);
    expect(io.errors.join('\n')).toContain('Usage: npm run backup -- FILE');
  });

  test('a missing store is named, and nothing is written', async () => {
    const io = captured();
    const file = path.join(dir, 'none.db');
    expect(await runBackup([file], { DATA_DIR: dataDir }, io)).toBe(1);
    expect(io.errors.join('\n')).toContain(`no embedded store at ${dataDir}`);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});
