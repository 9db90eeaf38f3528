import i18next, { type i18n as I18nInstance } from 'i18next';
import type { Locale } from '../domain/locale';
import { en } from './en';
import { fr } from './fr';

export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** The bot's messages. One instance per process; `forLocale` gives a translator bound to a person's locale. */
export class I18n {
  private readonly instance: I18nInstance;

  constructor(readonly defaultLocale: Locale) {
    this.instance = i18next.createInstance();
    void this.instance.init({
      resources: { fr: { translation: fr }, en: { translation: en } },
      lng: defaultLocale,
      fallbackLng: 'fr',
      supportedLngs: ['fr', 'en'],
      interpolation: { escapeValue: false },
      keySeparator: '.',
      nsSeparator: false,
      initAsync: false,
      returnNull: false,
      showSupportNotice: false,
    } as Parameters<I18nInstance['init']>[0]);
  }

  t(locale: Locale | undefined, key: string, params?: Record<string, unknown>): string {
    return this.instance.t(key, { ...params, lng: locale ?? this.defaultLocale }) as string;
  }

  forLocale(locale: Locale | undefined): Translate {
    const lng = locale ?? this.defaultLocale;
    return (key, params) => this.instance.t(key, { ...params, lng }) as string;
  }

  has(key: string): boolean {
    return this.instance.exists(key, { lng: 'fr' });
  }
}
