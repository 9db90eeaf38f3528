import { CronExpressionParser } from 'cron-parser';
import type { CronCalendar } from '../domain/broadcast-service';

/** Cron arithmetic with time zones (cron-parser): 5 fields, or 6 with seconds. */
export const cronCalendar: CronCalendar = {
  next(expression, after, timeZone) {
    const fields = expression.trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 6) return null;
    try {
      return CronExpressionParser.parse(expression, { currentDate: after, tz: timeZone }).next().toDate();
    } catch {
      return null;
    }
  },
};
