import pino from 'pino';

export type Logger = pino.Logger;

/** Paths that may carry secrets; pino replaces them with "[secret]" wherever they appear. */
const SECRET_KEYS = ['token', 'botToken', 'appToken', 'signingSecret', 'clientSecret', 'password', 'authorization', 'Authorization', 'mongodbUri'];

/** Errors from HTTP clients carry the whole request (headers with bearer tokens): keep only what helps. */
function safeError(err: unknown): unknown {
  const e = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (e && typeof e === 'object') {
    for (const k of ['config', 'request', 'response', 'headers']) delete e[k];
    const cause = (err as { cause?: unknown })?.cause;
    if (cause && typeof cause === 'object') e.cause = safeError(cause);
    const status = (err as { response?: { status?: number } })?.response?.status;
    if (status) e.status = status;
  }
  return e;
}

/**
 * Fields that may carry people's data (an e-mail, a message's text, a card): printed as "[redacted]". Logs
 * say what happened with ids and counts, never what someone wrote.
 */
const PERSONAL_KEYS = ['email', 'text', 'payload', 'blocks', 'card', 'comment', 'answer', 'message_text'];

const REDACT = [
  ...PERSONAL_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'password',
  'authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.clientSecret',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'mongodbUri',
  '*.mongodbUri',
];

/** JSON logs in production; readable, coloured lines in development (pino-pretty). Secrets are redacted. */
export function createLogger(options: { level: string; pretty: boolean; destination?: pino.DestinationStream }): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: [...new Set(REDACT)], censor: (_value: unknown, path: string[]) => (PERSONAL_KEYS.includes(path[path.length - 1]) ? '[redacted]' : '[secret]') },
    serializers: { err: safeError, error: safeError },
    base: { app: 'ensemble' },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' } } });
  }
  return pino(base);
}
