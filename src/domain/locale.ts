export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Maps a platform locale ("fr-FR", "en-US", "en") to one the bot speaks, or the fallback. */
export function normaliseLocale(raw: string | undefined | null, fallback: Locale): Locale {
  if (!raw) return fallback;
  const lang = raw.toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(lang) ? (lang as Locale) : fallback;
}

/** A text given in French, optionally in English. */
export interface LocalisedText {
  fr: string;
  en?: string;
}

export function pick(text: LocalisedText, locale: Locale): string {
  return (locale === 'en' ? text.en : undefined) ?? text.fr;
}
