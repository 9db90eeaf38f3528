import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { z } from 'zod';
import { envSchema } from '../config/schema';

/** Where a command-line tool writes: progress and results, and errors. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The arguments, checked: the value, or one message naming every problem (then the usage). */
export function parseCli<S extends z.ZodType>(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
  usage: string,
): { ok: true; value: z.infer<S> } | { ok: false; message: string } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    return { ok: false, message: `${(e as Error).message}\n${usage}` };
  }
  const checked = schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
  if (!checked.success) {
    // each message names its flag or argument
    const problems = checked.error.issues.map((i) => `  - ${i.message}`);
    return { ok: false, message: `Invalid arguments:\n${problems.join('\n')}\n${usage}` };
  }
  return { ok: true, value: checked.data };
}

/** DATA_DIR as the bot reads it (blank: the default). */
export function dataDirOf(env: Record<string, string | undefined>): string {
  const raw = env.DATA_DIR?.trim();
  return envSchema.shape.DATA_DIR.parse(raw === '' ? undefined : raw);
}

/** A URI as printed: without its password. */
export function shownUri(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//***@');
}
