import type { Locale } from '../domain/locale';

export interface SlackConfig {
  botToken: string;
  /** HTTP mode: requests are verified with it. */
  signingSecret?: string;
  /** Socket Mode when present. */
  appToken?: string;
  /** Base URL of the Web API, e.g. a fake server in tests. */
  apiUrl?: string;
}

export interface TeamsConfig {
  clientId: string;
  clientSecret: string;
  tenantId?: string;
}

export interface Config {
  port: number;
  /** Absent: Slack is off. */
  slack?: SlackConfig;
  /** Absent: Teams runs in local mode (unauthenticated, loopback only). */
  teams?: TeamsConfig;
  /** Slack pace for broadcasts across a workspace (messages per minute). */
  slackWorkspaceRatePerMin: number;
  /** How long a claimed message or broadcast run stays with one instance before another may take it over. */
  deliveryLeaseMs: number;
  mongodbUri?: string;
  dataDir: string;
  timezone: string;
  locale: Locale;
  /** Where people reach the bot's HTTP server (PUBLIC_URL): a broadcast's links on Teams go through its /r/<token>; absent, they are not counted. */
  publicUrl?: string;
  programmeFile?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  prettyLogs: boolean;
  /** Absent: GET /metrics answers only direct requests from this machine. */
  metricsToken?: string;
}
