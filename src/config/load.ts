import { envSchema } from './schema';
import type { Config } from './types';

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** A configuration error lists every bad variable at once, by name, with how to fix it. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  - ${i.variable} ${i.message}`).join('\n') +
        '\nFix these variables in the environment or in .env (see .env.example), then start again.',
    );
    this.name = 'ConfigError';
  }
}

/** Turns an environment map into a checked configuration. Pure: the caller passes `process.env`. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  // A blank value (`PORT=` in .env) means "not set": the default applies.
  const cleaned: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(source)) cleaned[k] = typeof v === 'string' && v.trim() === '' ? undefined : v;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const seen = new Set<string>();
    const issues: ConfigIssue[] = [];
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      const key = `${variable}:${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ variable, message: issue.message });
    }
    throw new ConfigError(issues);
  }
  const env = parsed.data;
  return {
    port: env.PORT,
    slack: env.SLACK_BOT_TOKEN
      ? {
          botToken: env.SLACK_BOT_TOKEN,
          signingSecret: env.SLACK_SIGNING_SECRET,
          appToken: env.SLACK_APP_TOKEN,
          apiUrl: env.SLACK_API_URL,
        }
      : undefined,
    teams: env.TEAMS_CLIENT_ID && env.TEAMS_CLIENT_SECRET ? { clientId: env.TEAMS_CLIENT_ID, clientSecret: env.TEAMS_CLIENT_SECRET, tenantId: env.TEAMS_TENANT_ID } : undefined,
    slackWorkspaceRatePerMin: env.SLACK_WORKSPACE_RATE_PER_MIN,
    deliveryLeaseMs: env.DELIVERY_LEASE_SECONDS * 1000,
    mongodbUri: env.MONGODB_URI,
    dataDir: env.DATA_DIR,
    timezone: env.BOT_TIMEZONE,
    locale: env.BOT_LOCALE,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    programmeFile: env.PROGRAMME_FILE,
    logLevel: env.LOG_LEVEL,
    prettyLogs: env.NODE_ENV !== 'production',
    metricsToken: env.METRICS_TOKEN,
  };
}
