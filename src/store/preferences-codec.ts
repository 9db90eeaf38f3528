import { z } from 'zod';
import { DEFAULT_PREFERENCES, type Preferences } from '../domain/preferences';

const mode = z.enum(['now', 'digest', 'off']);

/** Preferences as stored (JSON, dates as epoch ms): read back through zod, so a bad row falls back to the defaults. */
const stored = z.object({
  language: z.enum(['fr', 'en']).optional(),
  kinds: z.object({ axisUpdates: mode, ideaNews: mode, eventReminders: mode, broadcasts: mode, consultations: mode }).partial().optional(),
  digest: z.enum(['weekly', 'daily', 'off']).optional(),
  quiet: z.object({ from: z.number().int().min(0).max(1439), to: z.number().int().min(0).max(1439), weekends: z.boolean() }).optional(),
  pauseUntil: z.number().optional(),
});

export function encodePreferences(p: Preferences): string {
  return JSON.stringify({
    language: p.language,
    kinds: p.kinds,
    digest: p.digest,
    quiet: p.quiet,
    pauseUntil: p.pauseUntil?.getTime(),
  });
}

export function decodePreferences(json: string, updatedAt: Date): Preferences {
  const parsed = stored.safeParse(JSON.parse(json));
  const d = parsed.success ? parsed.data : {};
  const out: Preferences = { kinds: { ...DEFAULT_PREFERENCES.kinds, ...d.kinds }, digest: d.digest ?? DEFAULT_PREFERENCES.digest, updatedAt };
  if (d.language) out.language = d.language;
  if (d.quiet) out.quiet = d.quiet;
  if (d.pauseUntil !== undefined) out.pauseUntil = new Date(d.pauseUntil);
  return out;
}
