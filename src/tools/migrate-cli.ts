import dotenv from 'dotenv';
import { z } from 'zod';
import { type CliIo, dataDirOf, parseCli, processIo, shownUri } from './cli';
import { migrateToMongo, TargetNotEmptyError } from './migrate';
import { NoStoreError } from './sqlite-file';

/** `npm run migrate -- --to mongodb://… [--from DATA_DIR|FILE] [--force]`: the embedded store into MongoDB. */

export const MIGRATE_USAGE = `Usage: npm run migrate -- --to mongodb://HOST:PORT/DATABASE [--from DATA_DIR|FILE] [--force]
  --to     the MongoDB URI; the database it names (default "ensemble") must be empty
  --from   the embedded store: a DATA_DIR folder or an SQLite file (default: DATA_DIR, else ./data)
  --force  copy into a non-empty database: its documents in the copied collections are removed first
Stop the bot first: what it writes after the copy began is not copied.`;

const options = {
  to: { type: 'string' },
  from: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const argsSchema = z.object({
  to: z
    .string({ error: '--to is required: the MongoDB URI to copy into, e.g. mongodb://127.0.0.1:27017/ensemble' })
    .trim()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, '--to must be a MongoDB URI, starting with mongodb:// or mongodb+srv://'),
  from: z.string().trim().min(1, '--from must name a DATA_DIR folder or an SQLite file').optional(),
  force: z.boolean().default(false),
  positionals: z.array(z.string()).max(0, 'unexpected argument: give the target with --to URI and the source with --from'),
});

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, mismatch: 3 } as const;

export async function runMigrate(argv: string[], env: Record<string, string | undefined>, io: CliIo, now: Date): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(MIGRATE_USAGE);
    return EXIT.ok;
  }
  const args = parseCli(argv, options, argsSchema, MIGRATE_USAGE);
  if (!args.ok) {
    io.err(args.message);
    return EXIT.usage;
  }
  const { to, force } = args.value;
  const from = args.value.from ?? dataDirOf(env);
  try {
    const result = await migrateToMongo({ from, to, force, now, say: io.out });
    if (!result.ok) {
      const wrong = [
        ...result.tables.filter((t) => t.source !== t.target).map((t) => `${t.table} ${t.source} -> ${t.target}`),
        ...result.counters.filter((c) => c.source !== c.target).map((c) => `counter ${c.name} ${c.source} -> ${c.target}`),
      ];
      io.err(`Verification FAILED: ${wrong.join('; ')}. Do not switch the bot to this database.`);
      return EXIT.mismatch;
    }
    const total = result.tables.reduce((n, t) => n + t.target, 0);
    io.out(`Done: ${result.tables.length} tables, ${total} rows copied and verified into "${result.database}".`);
    io.out(`Next: set MONGODB_URI=${shownUri(to)} (keep DATA_DIR's file as a fallback) and start the bot.`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof TargetNotEmptyError || e instanceof NoStoreError) {
      io.err(`migrate: ${e.message}`);
      return EXIT.failed;
    }
    io.err(`migrate failed: ${(e as Error).message}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  dotenv.config({ quiet: true });
  void runMigrate(process.argv.slice(2), process.env, processIo, new Date()).then((code) => {
    process.exitCode = code;
  });
}
