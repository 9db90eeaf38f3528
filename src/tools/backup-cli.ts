import dotenv from 'dotenv';
import { z } from 'zod';
import { BackupExistsError, backupStore } from './backup';
import { type CliIo, dataDirOf, parseCli, processIo } from './cli';
import { NoStoreError } from './sqlite-file';

/** `npm run backup -- FILE [--from DATA_DIR|FILE] [--force]`: a consistent copy of the embedded store, bot running or not. */

export const BACKUP_USAGE = `Usage: npm run backup -- FILE [--from DATA_DIR|FILE] [--force]
  FILE     where the copy goes (an SQLite file); it must not exist
  --from   the embedded store: a DATA_DIR folder or an SQLite file (default: DATA_DIR, else ./data)
  --force  replace FILE if it exists
The bot may keep running: the copy is of one moment of the store.`;

const options = {
  from: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const argsSchema = z.object({
  from: z.string().trim().min(1, '--from must name a DATA_DIR folder or an SQLite file').optional(),
  force: z.boolean().default(false),
  positionals: z
    .array(z.string().trim().min(1, 'FILE must not be blank'))
    .min(1, 'FILE is required: where to write the copy, e.g. backups/ensemble-2026-12-02.db')
    .max(1, 'one FILE only'),
});

export async function runBackup(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(BACKUP_USAGE);
    return 0;
  }
  const args = parseCli(argv, options, argsSchema, BACKUP_USAGE);
  if (!args.ok) {
    io.err(args.message);
    return 2;
  }
  const from = args.value.from ?? dataDirOf(env);
  try {
    const r = await backupStore({ from, to: args.value.positionals[0], force: args.value.force });
    io.out(`Backed up ${r.source}`);
    io.out(`      to ${r.file}: ${r.pages} pages of ${r.pageSize} bytes, ${(r.bytes / 1024 / 1024).toFixed(2)} MB (${r.bytes} bytes), checked.`);
    io.out('Restore: stop the bot, put this file in DATA_DIR as ensemble.db (remove ensemble.db-wal and ensemble.db-shm), start the bot.');
    return 0;
  } catch (e) {
    if (e instanceof BackupExistsError || e instanceof NoStoreError) {
      io.err(`backup: ${e.message}`);
      return 1;
    }
    io.err(`backup failed: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  dotenv.config({ quiet: true });
  void runBackup(process.argv.slice(2), process.env, processIo).then((code) => {
    process.exitCode = code;
  });
}
