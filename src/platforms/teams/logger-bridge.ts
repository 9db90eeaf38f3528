import type { ILogger, LogLevel } from '@microsoft/teams.common';
import type { Logger } from '../../logger';

/** Lets the Teams SDK log through pino (and so through its redaction of secrets). */
export function teamsLogger(log: Logger, name = 'teams'): ILogger {
  const child = log.child({ component: name });
  const write = (level: LogLevel, msg: unknown[]) => {
    const [first, ...rest] = msg;
    // an object (an activity, a request) is not logged: it may carry people's messages
    if (first instanceof Error) {
      child[level === 'info' ? 'debug' : level]({ err: first }, first.message);
      return;
    }
    const text = typeof first === 'string' ? first : `[${typeof first}]`;
    const lvl = level === 'trace' ? 'trace' : level;
    // The SDK is chatty at info level (every activity); keep it to debug.
    const target = lvl === 'info' ? 'debug' : lvl;
    const err = rest[0] as { message?: string; code?: string; config?: unknown; response?: { status?: number } } | undefined;
    if (err && typeof err === 'object' && 'config' in err) child[target]({ error: err.message, code: err.code, status: err.response?.status }, text);
    else if (rest.length > 0 && rest[0] instanceof Error) child[target]({ err: rest[0] }, text);
    else child[target](text);
  };
  const logger: ILogger = {
    debug: (...m) => write('debug', m),
    info: (...m) => write('info', m),
    warn: (...m) => write('warn', m),
    error: (...m) => write('error', m),
    trace: (...m) => write('trace', m),
    log: (level, ...m) => write(level, m),
    child: (n) => teamsLogger(log, `${name}.${n}`),
  };
  return logger;
}
