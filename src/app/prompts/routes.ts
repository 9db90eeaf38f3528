import { FieldError } from '../../domain/errors';
import type { Actor } from '../../domain/people-service';
import { DEFAULT_PREFERENCES } from '../../domain/preferences';
import { endOfDay } from '../../domain/preferences-form';
import { zonedDateTime } from '../../domain/time';
import { textCard } from '../common';
import { cardReply, type Reply } from '../reply';
import { feature } from '../routes';
import type { Services } from '../services';
import { awayForm } from './screens';

/** The longest absence one can declare. */
const MAX_AWAY_DAYS = 366;

/** "2027-01-04", "04/01/2027" or "4/1/2027" → "2027-01-04"; anything else → null. */
export function parseDay(text: string): string | null {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : null;
}

/** A pilot away until a date (included): prompts skip them, and only what they must get reaches them. */
export function promptsFeature(s: Services) {
  const preferences = s.store.preferences;
  const t = (actor: Actor) => s.i18n.forLocale(actor.person.locale ?? s.defaultLocale);
  const open = (actor: Actor, until?: string): Reply => ({ kind: 'form', form: awayForm(t(actor), { until }) });

  async function save(actor: Actor, value: string | undefined): Promise<Reply> {
    const day = parseDay(value ?? '');
    const noon = day ? zonedDateTime(day, '12:00', s.timezone) : null;
    // away until the end of that day, as a pause in the preferences: back at midnight, local time
    const end = day && noon ? endOfDay(day, s.timezone) : null;
    if (!noon || !end) throw new FieldError('prompts.awayDate', 'until');
    const now = s.clock.now();
    if (end.getTime() <= now.getTime()) throw new FieldError('prompts.awayPast', 'until');
    if (end.getTime() - now.getTime() > MAX_AWAY_DAYS * 86_400_000) throw new FieldError('prompts.awayTooFar', 'until', { days: MAX_AWAY_DAYS });
    const current = (await preferences.get(actor.person.id)) ?? DEFAULT_PREFERENCES;
    await preferences.save(actor.person.id, { ...current, pauseUntil: end }, now);
    const locale = actor.person.locale ?? s.defaultLocale;
    const date = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone: s.timezone, dateStyle: 'full' }).format(noon);
    return cardReply(textCard(t(actor)('prompts.awaySaved', { date })), { replace: true });
  }

  return feature({
    name: 'prompts',
    commands: [
      {
        id: 'away',
        words: { fr: ['absent', 'absente', 'absence'], en: ['away'] },
        help: 'pilots',
        run: ({ actor, args }) => (args.length ? save(actor, args.filter((a) => !/^jusqu/i.test(a) && !/^until$/i.test(a)).join(' ')) : open(actor)),
      },
    ],
    actions: {
      'prompt.away': { run: ({ actor }) => open(actor) },
      'prompt.away.save': {
        replaces: true,
        run: ({ actor, values }) => save(actor, values.until),
        form: ({ actor, values }) => awayForm(t(actor), { until: values.until }),
      },
    },
  });
}
