import type { Card, CardElement } from '../cards/model';
import { pick, type Locale } from '../domain/locale';
import type { Programme } from '../domain/programme';
import type { Translate } from '../i18n';

export type Surface = 'slack' | 'teams';

export function textCard(text: string, title?: string): Card {
  const elements: CardElement[] = [];
  if (title) elements.push({ type: 'header', text: title });
  elements.push({ type: 'text', text });
  return { fallbackText: text, elements };
}

export function errorCard(text: string): Card {
  return { fallbackText: text, elements: [{ type: 'text', text: `⚠️ ${text}` }] };
}

export function unknownCard(t: Translate, word: string, suggestion?: string): Card {
  const lines = [t('unknown.text', { word })];
  if (suggestion) lines.push(t('unknown.suggestion', { suggestion }));
  lines.push(t('unknown.hint'));
  const text = lines.join(' ');
  return {
    fallbackText: text,
    elements: [
      { type: 'text', text },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'help.show', label: t('menu.help') }] },
    ],
  };
}

/** The audiences an organiser can choose in a form (broadcasts, event announcements). */
export function audienceChoices(
  t: Translate,
  programme: Programme,
  locale: Locale,
  communities: ReadonlyArray<{ id: string; name: string }> = [],
): Array<{ title: string; value: string }> {
  return [
    { title: t('broadcasts.audience.everyone'), value: 'everyone' },
    { title: t('broadcasts.audience.pilots'), value: 'pilots' },
    { title: t('broadcasts.audience.organisers'), value: 'organisers' },
    // an axis reaches its followers and pilots, and its channel when it has one
    ...programme.axes.map((a) => ({ title: t('broadcasts.audience.axis', { axis: `${a.number} · ${pick(a.name, locale)}` }), value: `axis:${a.id}` })),
    // a community reaches its members, and its channel when it has one
    ...communities.map((c) => ({ title: t('broadcasts.audience.community', { name: c.name }), value: `community:${c.id}` })),
  ];
}
