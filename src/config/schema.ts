import { z } from 'zod';

/** True when `tz` is an IANA time zone this runtime knows. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/**
 * The environment, as a zod schema. Each field carries the hint shown to the operator when it is wrong.
 * Names are the interface contract of DESIGN.md: keep them stable.
 */
export const envSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535 (0: any free port)')
      .max(65535, 'must be between 0 and 65535 (0: any free port)')
      .default(3978),
    SLACK_BOT_TOKEN: optionalText.pipe(z.string().startsWith('xoxb-', 'must be a bot token starting with "xoxb-" (Slack app > OAuth & Permissions)').optional()),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText.pipe(
      z.string().startsWith('xapp-', 'must be an app-level token starting with "xapp-" (Slack app > Basic Information > App-Level Tokens, scope connections:write)').optional(),
    ),
    SLACK_API_URL: optionalText.pipe(z.url('must be a URL such as https://slack.com/api/').optional()),
    SLACK_WORKSPACE_RATE_PER_MIN: z.coerce
      .number({ error: 'must be a number of messages per minute' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 6000')
      .max(6000, 'must be between 1 and 6000')
      .default(300),
    DELIVERY_LEASE_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number')
      .min(5, 'must be between 5 and 3600')
      .max(3600, 'must be between 5 and 3600')
      .default(60),
    TEAMS_CLIENT_ID: optionalText.pipe(z.uuid("must be the bot's Microsoft Entra application (client) ID, a GUID").optional()),
    TEAMS_CLIENT_SECRET: optionalText,
    TEAMS_TENANT_ID: optionalText.pipe(z.uuid('must be your Microsoft Entra tenant ID, a GUID').optional()),
    MONGODB_URI: optionalText.pipe(
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
        .optional(),
    ),
    DATA_DIR: z.string().trim().min(1, 'must be a folder path').default('./data'),
    BOT_TIMEZONE: z.string().trim().default('Europe/Paris').refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris'),
    BOT_LOCALE: z.enum(['fr', 'en'], { error: 'must be "fr" or "en"' }).default('fr'),
    PUBLIC_URL: optionalText.pipe(
      z
        .url('must be the address people reach the bot at, such as https://ensemble.exemple.fr')
        .regex(/^https?:\/\//, 'must start with https:// (or http://)')
        .optional(),
    ),
    PROGRAMME_FILE: optionalText,
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    METRICS_TOKEN: optionalText.pipe(
      z
        .string()
        .min(16, 'must be at least 16 characters (for instance: openssl rand -hex 32)')
        .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent as Authorization: Bearer <token>)')
        .optional(),
    ),
    NODE_ENV: optionalText,
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required when SLACK_BOT_TOKEN is set (Slack app > Basic Information > Signing Secret); or set SLACK_APP_TOKEN to use Socket Mode instead',
      });
    }
    if (!env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set (Slack app > OAuth & Permissions > Bot User OAuth Token)',
      });
    }
    if (env.TEAMS_CLIENT_ID && !env.TEAMS_CLIENT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_CLIENT_SECRET'],
        message: 'is required when TEAMS_CLIENT_ID is set (Azure bot > Configuration > Manage password: a client secret)',
      });
    }
    if (!env.TEAMS_CLIENT_ID && (env.TEAMS_CLIENT_SECRET || env.TEAMS_TENANT_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEAMS_CLIENT_ID'],
        message: "is required when TEAMS_CLIENT_SECRET or TEAMS_TENANT_ID is set (the bot's Microsoft App ID)",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;
