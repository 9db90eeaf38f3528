import { z } from 'zod';

/** The parts of a Teams activity the bot relies on, checked at the edge. */
const account = z.object({ id: z.string().min(1).max(512), name: z.string().max(512).optional(), aadObjectId: z.string().max(128).optional() }).loose();

export const activitySchema = z
  .object({
    type: z.string().max(64),
    serviceUrl: z.url().max(2048),
    from: account,
    recipient: account,
    conversation: z
      .object({
        id: z.string().min(1).max(1024),
        conversationType: z.string().max(64).optional(),
        tenantId: z.string().max(128).optional(),
      })
      .loose(),
    channelData: z
      .object({
        tenant: z
          .object({ id: z.string().max(128) })
          .loose()
          .optional(),
        // in a team: the team (its id is its general channel's) and the channel the activity is about
        team: z
          .object({ id: z.string().min(1).max(1024), name: z.string().max(512).optional() })
          .loose()
          .optional(),
        channel: z
          .object({ id: z.string().min(1).max(1024), name: z.string().max(512).optional() })
          .loose()
          .optional(),
        eventType: z.string().max(64).optional(),
      })
      .loose()
      .optional(),
    locale: z.string().max(32).optional(),
    text: z.string().max(28_000).optional(),
    // mentions and other entities: ids are strings of bounded length (an object here once reached a query)
    entities: z
      .array(
        z
          .object({
            type: z.string().max(64),
            text: z.string().max(1000).optional(),
            mentioned: z
              .object({ id: z.string().min(1).max(512), name: z.string().max(512).optional() })
              .loose()
              .optional(),
          })
          .loose(),
      )
      .max(200)
      .optional(),
  })
  .loose();

export type CheckedActivity = z.infer<typeof activitySchema>;

/** Data sent back by a card button: a flat map of short strings. */
export const actionDataSchema = z.record(z.string().max(64), z.unknown()).transform((data) => {
  const out: Record<string, string> = {};
  // Long strings are kept so that the domain refuses them with a clear message rather than losing them.
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' && v.length <= 28_000) out[k] = v;
  return out;
});
