import { createLogger, type Logger } from '../../src/logger';

/** A logger writing JSON lines into memory. */
function capture(level = 'info'): { log: Logger; output: () => string; records: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const log = createLogger({ level, pretty: false, destination: { write: (s: string) => void chunks.push(s) } });
  const output = () => chunks.join('');
  const records = () =>
    output()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, output, records };
}

const SECRETS = {
  botToken: 'xoxb-bot-SECRET-1',
  appToken: 'xapp-app-SECRET-2',
  signingSecret: 'signing-SECRET-3',
  clientSecret: 'client-SECRET-4',
  authorization: 'Bearer top-SECRET-5',
  nested: 'Bearer nested-SECRET-6',
  request: 'Bearer req-SECRET-7',
  password: 'password-SECRET-8',
  mongo: 'mongodb://user:mongo-SECRET-9@db/ensemble',
  signature: 'v0=signature-SECRET-10',
  token: 'plain-token-SECRET-11',
};

describe('createLogger redaction', () => {
  test('secret fields are printed as [secret], and the rest of the entry is kept', () => {
    const { log, output, records } = capture();
    log.info(
      {
        botToken: SECRETS.botToken,
        appToken: SECRETS.appToken,
        signingSecret: SECRETS.signingSecret,
        clientSecret: SECRETS.clientSecret,
        authorization: SECRETS.authorization,
        password: SECRETS.password,
        token: SECRETS.token,
        mongodbUri: SECRETS.mongo,
        headers: { authorization: SECRETS.nested, 'content-type': 'application/json' },
        req: { method: 'POST', headers: { authorization: SECRETS.request, 'x-slack-signature': SECRETS.signature } },
        team: 'T123',
      },
      'starting',
    );
    const text = output();
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    const [entry] = records();
    expect(entry).toMatchObject({
      msg: 'starting',
      app: 'ensemble',
      team: 'T123',
      botToken: '[secret]',
      appToken: '[secret]',
      signingSecret: '[secret]',
      clientSecret: '[secret]',
      authorization: '[secret]',
      password: '[secret]',
      token: '[secret]',
      mongodbUri: '[secret]',
      headers: { authorization: '[secret]', 'content-type': 'application/json' },
      req: { method: 'POST', headers: { authorization: '[secret]', 'x-slack-signature': '[secret]' } },
    });
  });

  test('secrets one level down (e.g. a config section) are redacted too', () => {
    const { log, output, records } = capture();
    log.info(
      {
        slack: { botToken: SECRETS.botToken, signingSecret: SECRETS.signingSecret, appToken: SECRETS.appToken, apiUrl: 'https://slack.com/api/' },
        teams: { clientId: 'client-id', clientSecret: SECRETS.clientSecret },
        store: { mongodbUri: SECRETS.mongo },
        request: { headers: { authorization: SECRETS.nested } },
      },
      'config',
    );
    for (const secret of Object.values(SECRETS)) expect(output()).not.toContain(secret);
    expect(records()[0]).toMatchObject({
      slack: { botToken: '[secret]', signingSecret: '[secret]', appToken: '[secret]', apiUrl: 'https://slack.com/api/' },
      teams: { clientId: 'client-id', clientSecret: '[secret]' },
      store: { mongodbUri: '[secret]' },
      request: { headers: { authorization: '[secret]' } },
    });
  });

  test('child loggers redact their bindings', () => {
    const { log, output } = capture();
    log.child({ botToken: SECRETS.botToken, component: 'slack' }).info('hello');
    expect(output()).not.toContain(SECRETS.botToken);
    expect(output()).toContain('"component":"slack"');
    expect(output()).toContain('[secret]');
  });

  test('the level is honoured', () => {
    const { log, records } = capture('warn');
    log.info('hidden');
    log.warn('shown');
    expect(records().map((r) => r.msg)).toEqual(['shown']);
  });

  // Redaction paths are case-sensitive and of a fixed depth, while the Teams SDK's HTTP client (axios,
  // @microsoft/teams.common) sets `config.headers["Authorization"]`: an axios error logged as `{ err }`
  // must not print the Bearer token.
  test('an HTTP client error logged as { err } does not print its Authorization header', () => {
    const { log, output } = capture();
    const error = Object.assign(new Error('Request failed with status code 403'), {
      config: { url: 'https://smba.trafficmanager.net/emea/v3/conversations', headers: { Authorization: SECRETS.request } },
    });
    log.error({ err: error }, 'notification failed');
    expect(output()).toContain('Request failed with status code 403');
    expect(output()).not.toContain(SECRETS.request);
  });

  test('an "Authorization" header (capitalised) is redacted', () => {
    const { log, output } = capture();
    log.info({ headers: { Authorization: SECRETS.nested } }, 'outgoing');
    expect(output()).toContain('outgoing');
    expect(output()).not.toContain(SECRETS.nested);
  });

  test('fields that may carry people’s data (e-mail, text, payload, card) are printed as [redacted], at any depth', () => {
    const { log, output, records } = capture();
    log.info({ email: 'a.b@exemple.fr', person: { email: 'c.d@exemple.fr' }, msg: { text: 'Mon idée secrète', payload: '{"x":"carte"}' }, count: 3 }, 'queued');
    const text = output();
    for (const s of ['a.b@exemple.fr', 'c.d@exemple.fr', 'Mon idée secrète', 'carte']) expect(text).not.toContain(s);
    expect(records()[0]).toMatchObject({ email: '[redacted]', person: { email: '[redacted]' }, count: 3 });
  });
});
