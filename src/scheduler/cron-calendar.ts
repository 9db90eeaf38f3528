import type * as CronParser from 'cron-parser';
import type { CronCalendar } from '../domain/broadcast-service';

/** cron-parser (and its time-zone library) is loaded when a recurring broadcast first needs it, not at start. */
let parser: typeof CronParser.CronExpressionParser | undefined;
function cronParser(): typeof CronParser.CronExpressionParser {
  parser ??= (require('cron-parser') as typeof CronParser).CronExpressionParser;
  return parser;
}

/** Cron arithmetic with time zones (cron-parser): 5 fields, or 6 with seconds. */
export const cronCalendar: CronCalendar = {
  next(expression, after, timeZone) {
    const fields = expression.trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 6) return null;
    try {
      return cronParser().parse(expression, { currentDate: after, tz: timeZone }).next().toDate();
    } catch {
      return null;
    }
  },
};
