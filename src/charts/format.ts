import type { Locale } from '../domain/locale';
import type { ChartUnit } from './spec';

const INTL_LOCALE: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: Locale, decimals: number, percent: boolean): Intl.NumberFormat {
  const key = `${locale}:${decimals}:${percent}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits: decimals, ...(percent ? { style: 'percent' } : {}) });
    formatters.set(key, f);
  }
  return f;
}

/** The no-break space French puts between a number and its unit word (« 12 idées »). */
const NBSP = '\u00a0';
/** The narrow no-break space (« espace fine insécable ») between thousands and before « % ». */
const NNBSP = '\u202f';

/**
 * A number the way the person's language writes it: French « 12 345,5 » (narrow no-break space between
 * thousands, decimal comma), « 12,5 % » (narrow no-break space before %), English « 12,345.5 », « 12.5% ».
 * A unit word takes its plural from the language's rules (French: 0 and 1 are singular).
 */
export function formatNumber(value: number, locale: Locale, options: { unit?: ChartUnit; decimals?: number } = {}): string {
  const decimals = options.decimals ?? 1;
  // ICU versions differ on the space before % (no-break or narrow no-break): French typography wants the narrow one
  if (options.unit === '%')
    return formatter(locale, decimals, true)
      .format(value / 100)
      .replace(/[\u00a0 ]%/, `${NNBSP}%`);
  const text = formatter(locale, decimals, false).format(value);
  if (!options.unit) return text;
  const rule = new Intl.PluralRules(INTL_LOCALE[locale]).select(value);
  return `${text}${NBSP}${rule === 'one' ? options.unit.one : options.unit.other}`;
}

/** A share of a whole as a percentage (0 when the whole is 0), e.g. for a donut's slices. */
export function share(value: number, total: number): number {
  return total === 0 ? 0 : (value / total) * 100;
}
