import { z } from 'zod';

const id = z.string().regex(/^[A-Z0-9]{2,32}$/, 'must be a Slack id');

/** A slash command as Slack sends it (only the fields the bot uses). */
export const slashCommandSchema = z
  .object({
    team_id: id,
    user_id: id,
    user_name: z.string().max(256).optional(),
    channel_id: z.string().max(64).optional(),
    text: z.string().max(4000).default(''),
    response_url: z.url().max(2048).optional(),
    trigger_id: z.string().max(256).optional(),
  })
  .loose();

export const actionValueSchema = z
  .string()
  .max(2000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().max(64), z.string().max(2000)));

export const blockActionsBodySchema = z
  .object({
    user: z.object({ id, name: z.string().max(256).optional(), team_id: id.optional() }).loose(),
    team: z.object({ id }).loose().nullable().optional(),
    response_url: z.url().max(2048).optional(),
    trigger_id: z.string().max(256).optional(),
  })
  .loose();
