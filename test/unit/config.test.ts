import { ConfigError, loadConfig, type ConfigIssue } from '../../src/config/load';

const TEAMS_ID = '11111111-2222-4333-8444-555555555555';
const TENANT_ID = '66666666-7777-4888-9999-aaaaaaaaaaaa';

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

const variables = (issues: ConfigIssue[]) => [...new Set(issues.map((i) => i.variable))].sort();

describe('loadConfig defaults', () => {
  test('an empty environment gives the documented defaults, with Slack and Teams off', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.dataDir).toBe('./data');
    expect(config.timezone).toBe('Europe/Paris');
    expect(config.locale).toBe('fr');
    expect(config.logLevel).toBe('info');
    expect(config.slack).toBeUndefined();
    expect(config.teams).toBeUndefined();
    expect(config.mongodbUri).toBeUndefined();
    expect(config.programmeFile).toBeUndefined();
    expect(config.prettyLogs).toBe(true);
  });

  test('values are read and coerced', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/lib/ensemble',
      BOT_TIMEZONE: 'America/Montreal',
      BOT_LOCALE: 'en',
      MONGODB_URI: 'mongodb+srv://user:pw@cluster.example.net/ensemble',
      PROGRAMME_FILE: 'programme/mine.yaml',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/var/lib/ensemble');
    expect(config.timezone).toBe('America/Montreal');
    expect(config.locale).toBe('en');
    expect(config.mongodbUri).toBe('mongodb+srv://user:pw@cluster.example.net/ensemble');
    expect(config.programmeFile).toBe('programme/mine.yaml');
    expect(config.logLevel).toBe('debug');
  });

  test('PORT=0 (any free port) is accepted', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  test('NODE_ENV=production turns pretty logs off; other values keep them', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).prettyLogs).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).prettyLogs).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).prettyLogs).toBe(true);
  });
});

describe('loadConfig errors', () => {
  test('every invalid variable is reported at once, by name', () => {
    const err = configError({
      PORT: 'abc',
      BOT_TIMEZONE: 'Mars/Olympus',
      BOT_LOCALE: 'de',
      MONGODB_URI: 'postgres://x',
      TEAMS_CLIENT_ID: 'not-a-guid',
    });
    expect(variables(err.issues)).toEqual(['BOT_LOCALE', 'BOT_TIMEZONE', 'MONGODB_URI', 'PORT', 'TEAMS_CLIENT_ID']);
    for (const name of ['PORT', 'BOT_TIMEZONE', 'BOT_LOCALE', 'MONGODB_URI', 'TEAMS_CLIENT_ID']) {
      expect(err.message).toContain(`- ${name} `);
    }
    expect(err.name).toBe('ConfigError');
    expect(err.message).toMatch(/^Invalid configuration:/);
    // Each issue says how to fix it.
    const byName = Object.fromEntries(err.issues.map((i) => [i.variable, i.message]));
    expect(byName.PORT).toMatch(/number/);
    expect(byName.BOT_TIMEZONE).toMatch(/IANA time zone/);
    expect(byName.BOT_LOCALE).toMatch(/"fr" or "en"/);
    expect(byName.MONGODB_URI).toMatch(/mongodb:\/\//);
    expect(byName.TEAMS_CLIENT_ID).toMatch(/GUID/);
  });

  test('the same variable is not reported twice with the same message', () => {
    const err = configError({ PORT: 'abc' });
    const keys = err.issues.map((i) => `${i.variable}:${i.message}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each([
    ['70000', /between 0 and 65535/],
    ['-1', /between 0 and 65535/],
    ['12.5', /whole number/],
  ])('PORT=%s is refused', (port, message) => {
    const err = configError({ PORT: port });
    expect(variables(err.issues)).toEqual(['PORT']);
    expect(err.issues[0].message).toMatch(message);
  });

  test('an unknown LOG_LEVEL is refused', () => {
    const err = configError({ LOG_LEVEL: 'verbose' });
    expect(variables(err.issues)).toEqual(['LOG_LEVEL']);
  });

  test('TEAMS_TENANT_ID must be a GUID', () => {
    const err = configError({ TEAMS_CLIENT_ID: TEAMS_ID, TEAMS_CLIENT_SECRET: 's', TEAMS_TENANT_ID: 'contoso' });
    expect(variables(err.issues)).toEqual(['TEAMS_TENANT_ID']);
  });

  test('SLACK_API_URL must be a URL', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'not a url' });
    expect(variables(err.issues)).toEqual(['SLACK_API_URL']);
  });

  test('METRICS_TOKEN: absent by default, read when set, refused when short or with spaces', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: '  ' }).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'a'.repeat(32) }).metricsToken).toBe('a'.repeat(32));
    expect(variables(configError({ METRICS_TOKEN: 'short' }).issues)).toEqual(['METRICS_TOKEN']);
    expect(variables(configError({ METRICS_TOKEN: 'has a space in the middle' }).issues)).toEqual(['METRICS_TOKEN']);
  });
});

describe('loadConfig: Slack', () => {
  test('SLACK_BOT_TOKEN alone asks for SLACK_SIGNING_SECRET, and mentions SLACK_APP_TOKEN (Socket Mode)', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-123' });
    expect(variables(err.issues)).toEqual(['SLACK_SIGNING_SECRET']);
    expect(err.issues[0].message).toContain('SLACK_BOT_TOKEN');
    expect(err.issues[0].message).toContain('SLACK_APP_TOKEN');
    expect(err.message).toContain('SLACK_SIGNING_SECRET');
  });

  test('SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET: HTTP mode', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-123', SLACK_SIGNING_SECRET: 'shh' });
    expect(config.slack).toEqual({ botToken: 'xoxb-123', signingSecret: 'shh', appToken: undefined, apiUrl: undefined });
  });

  test('SLACK_BOT_TOKEN + SLACK_APP_TOKEN: Socket Mode, no issue', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-123', SLACK_APP_TOKEN: 'xapp-456' });
    expect(config.slack).toBeDefined();
    expect(config.slack!.botToken).toBe('xoxb-123');
    expect(config.slack!.appToken).toBe('xapp-456');
    expect(config.slack!.signingSecret).toBeUndefined();
  });

  test('SLACK_API_URL is passed through', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9999/api/' });
    expect(config.slack!.apiUrl).toBe('http://127.0.0.1:9999/api/');
  });

  test('SLACK_SIGNING_SECRET without a token asks for SLACK_BOT_TOKEN', () => {
    const err = configError({ SLACK_SIGNING_SECRET: 'shh' });
    expect(variables(err.issues)).toEqual(['SLACK_BOT_TOKEN']);
    expect(err.message).toContain('SLACK_BOT_TOKEN');
  });

  test('SLACK_APP_TOKEN without a bot token asks for SLACK_BOT_TOKEN', () => {
    const err = configError({ SLACK_APP_TOKEN: 'xapp-1' });
    expect(variables(err.issues)).toEqual(['SLACK_BOT_TOKEN']);
  });

  test('a bot token with the wrong prefix is refused with the expected prefix', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 'shh' });
    expect(variables(err.issues)).toContain('SLACK_BOT_TOKEN');
    const issue = err.issues.find((i) => i.variable === 'SLACK_BOT_TOKEN')!;
    expect(issue.message).toContain('xoxb-');
  });

  test('an app token with the wrong prefix is refused with the expected prefix', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' });
    expect(variables(err.issues)).toContain('SLACK_APP_TOKEN');
    expect(err.issues.find((i) => i.variable === 'SLACK_APP_TOKEN')!.message).toContain('xapp-');
  });
});

describe('loadConfig: Teams', () => {
  test('TEAMS_CLIENT_ID without a secret asks for TEAMS_CLIENT_SECRET', () => {
    const err = configError({ TEAMS_CLIENT_ID: TEAMS_ID });
    expect(variables(err.issues)).toEqual(['TEAMS_CLIENT_SECRET']);
    expect(err.message).toContain('TEAMS_CLIENT_SECRET');
  });

  test('TEAMS_CLIENT_SECRET without an id asks for TEAMS_CLIENT_ID', () => {
    const err = configError({ TEAMS_CLIENT_SECRET: 'secret' });
    expect(variables(err.issues)).toEqual(['TEAMS_CLIENT_ID']);
  });

  test('a complete Teams configuration', () => {
    const config = loadConfig({ TEAMS_CLIENT_ID: TEAMS_ID, TEAMS_CLIENT_SECRET: 'secret', TEAMS_TENANT_ID: TENANT_ID });
    expect(config.teams).toEqual({ clientId: TEAMS_ID, clientSecret: 'secret', tenantId: TENANT_ID });
  });
});

describe('loadConfig: empty strings', () => {
  test('empty and blank strings are treated as unset', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
      SLACK_APP_TOKEN: '   ',
      SLACK_API_URL: '',
      TEAMS_CLIENT_ID: '',
      TEAMS_CLIENT_SECRET: '',
      TEAMS_TENANT_ID: '',
      MONGODB_URI: '',
      PROGRAMME_FILE: '',
      NODE_ENV: '',
    });
    expect(config.slack).toBeUndefined();
    expect(config.teams).toBeUndefined();
    expect(config.mongodbUri).toBeUndefined();
    expect(config.programmeFile).toBeUndefined();
    expect(config.prettyLogs).toBe(true);
  });

  test('an empty secret next to a token still counts as missing', () => {
    const err = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '' });
    expect(variables(err.issues)).toEqual(['SLACK_SIGNING_SECRET']);
  });
});

describe('loadConfig: empty strings for variables with a default', () => {
  // z.coerce.number would turn '' into 0, so `PORT=` in .env would listen on a random free port instead of 3978.
  test('PORT= (empty) falls back to 3978, not to 0 (any free port)', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3978);
  });
});
