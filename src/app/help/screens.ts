import type { Card, CardElement } from '../../cards/model';
import { pick, type Locale } from '../../domain/locale';
import type { Actor, RoleHolder } from '../../domain/people-service';
import type { Programme } from '../../domain/programme';
import { isOrganiser, type Role } from '../../domain/roles';
import type { Translate } from '../../i18n';
import { followChoices } from '../axes/screens';
import { textCard, type Surface } from '../common';
import type { Audience, CommandRoute } from '../routes';

export function describeRole(t: Translate, programme: Programme, role: Role, locale: Locale): string {
  if (role.role === 'organisateur') return t('roles.organisateur');
  const axis = programme.axes.find((a) => a.id === role.axisId);
  return t('roles.pilote', { axis: axis ? `${axis.number} · ${pick(axis.name, locale)}` : role.axisId });
}

export function describeRoles(t: Translate, programme: Programme, roles: Role[], locale: Locale): string {
  if (roles.length === 0) return t('roles.none');
  return [t('roles.agent'), ...roles.map((r) => describeRole(t, programme, r, locale))].join(', ');
}

function axesFacts(t: Translate, programme: Programme, locale: Locale): CardElement {
  return {
    type: 'facts',
    facts: programme.axes.map((a) => ({
      label: t('menu.axis', { number: a.number }),
      value: `**${pick(a.name, locale)}** · ${a.hashtags.map((h) => `#${h}`).join(' ')}`,
    })),
  };
}

function phasesLine(programme: Programme, locale: Locale): string {
  return programme.phases.map((p) => `${pick(p.name, locale)} (${pick(p.subtitle, locale)})`).join(' · ');
}

/** The menu: what the bot does, the programme's axes, and where to start. */
export function menuCard(t: Translate, programme: Programme, actor: Actor, locale: Locale, surface: Surface, commands: readonly CommandRoute[]): Card {
  const name = pick(programme.name, locale);
  return {
    fallbackText: t('menu.fallback', { programme: name }),
    elements: [
      { type: 'header', text: t('menu.title', { programme: name }) },
      { type: 'text', text: t('menu.intro', { name: actor.person.displayName }) },
      { type: 'text', text: `**${t('menu.axesTitle', { count: programme.axes.length })}**` },
      axesFacts(t, programme, locale),
      { type: 'context', text: phasesLine(programme, locale) },
      { type: 'divider' },
      { type: 'text', text: `**${t('menu.commandsTitle')}**\n${commandsText(t, commands, actor, locale, surface)}` },
      { type: 'context', text: t('menu.rolesLine', { roles: describeRoles(t, programme, actor.roles, locale) }) },
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'idea.new', label: t('ideas.newButton'), style: 'primary' },
          { kind: 'submit', verb: 'idea.list', label: t('ideas.listButton'), data: { f: 'top', p: '1', replace: 'false' } },
          { kind: 'submit', verb: 'event.agenda', label: t('events.agendaButton') },
          { kind: 'submit', verb: 'idea.figures', label: t('menu.figures') },
          { kind: 'submit', verb: 'inspire.show', label: t('menu.inspire') },
          { kind: 'submit', verb: 'role.mine', label: t('menu.myRoles') },
        ],
      },
    ],
  };
}

/** Sent when the app is installed in Teams. */
export function welcomeCard(t: Translate, programme: Programme, locale: Locale): Card {
  const name = pick(programme.name, locale);
  return {
    fallbackText: t('welcome.fallback'),
    elements: [
      { type: 'header', text: t('welcome.title', { programme: name }) },
      { type: 'text', text: pick(programme.tagline, locale) },
      { type: 'text', text: t('welcome.text') },
      { type: 'text', text: `**${t('menu.axesTitle', { count: programme.axes.length })}**` },
      axesFacts(t, programme, locale),
      ...followChoices(t, programme, locale, 'welcome'),
      {
        type: 'actions',
        actions: [
          { kind: 'submit', verb: 'idea.new', label: t('ideas.newButton'), style: 'primary' },
          { kind: 'submit', verb: 'help.show', label: t('menu.help') },
          { kind: 'submit', verb: 'inspire.show', label: t('menu.inspire') },
        ],
      },
      ...engagementEntry(t),
      // the privacy notice, from the first message (GDPR Art. 13: at the time the data is obtained)
      { type: 'context', text: t('welcome.privacy') },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'privacy.notice', label: t('privacy.noticeButton') }] },
    ],
  };
}

/** The ways into the programme's volunteering: « Devenir ambassadeur » and the communities (welcome card, App Home). */
export function engagementEntry(t: Translate): CardElement[] {
  return [
    { type: 'context', text: t('welcome.ambassadorText') },
    {
      type: 'actions',
      actions: [
        { kind: 'submit', verb: 'engagement.form', label: t('welcome.ambassadorButton') },
        { kind: 'submit', verb: 'community.list', label: t('welcome.communitiesButton') },
      ],
    },
  ];
}

export function inspireCard(t: Translate, programme: Programme, locale: Locale, random: () => number): Card {
  const c = programme.constraints[Math.min(programme.constraints.length - 1, Math.floor(random() * programme.constraints.length))];
  const text = pick(c, locale);
  return {
    fallbackText: t('inspire.fallback', { text }),
    elements: [
      { type: 'header', text: t('inspire.title') },
      { type: 'text', text: `**${text}**` },
      { type: 'actions', actions: [{ kind: 'submit', verb: 'inspire.show', label: t('inspire.again') }] },
    ],
  };
}

export function roleHoldersCard(t: Translate, programme: Programme, holders: RoleHolder[], locale: Locale): Card {
  if (holders.length === 0) return textCard(t('roles.listEmpty'), t('roles.listTitle'));
  const facts = holders.map((h) => ({ label: h.label, value: h.roles.map((r) => describeRole(t, programme, r, locale)).join(', ') }));
  return {
    fallbackText: t('roles.listTitle'),
    elements: [
      { type: 'header', text: t('roles.listTitle') },
      { type: 'facts', facts: facts.slice(0, 100) },
    ],
  };
}

/** The sections of the help a person sees: everyone's commands, then those of their roles. */
function audiencesOf(roles: Role[]): Audience[] {
  const out: Audience[] = ['everyone'];
  if (roles.some((r) => r.role === 'pilote') || isOrganiser(roles)) out.push('pilots');
  if (isOrganiser(roles)) out.push('organisers');
  return out;
}

/**
 * The commands, generated from the route tables: the word in the person's language, its arguments and
 * its description, one per line, grouped by who can use them.
 */
export function commandsText(t: Translate, commands: readonly CommandRoute[], actor: Actor, locale: Locale, surface: Surface): string {
  const sections: string[] = [];
  for (const audience of audiencesOf(actor.roles)) {
    const lines = commands
      .filter((c) => c.help === audience)
      .map((c) => {
        const word = (locale === 'en' ? c.words.en[0] : c.words.fr[0]) ?? c.words.fr[0];
        const args = t(`commands.${c.id}.args`, { defaultValue: '' });
        const usage = [word, args].filter(Boolean).join(' ');
        const shown = surface === 'slack' ? `\`/ensemble ${usage}\`` : `**${usage}**`;
        return `${shown} · ${t(`commands.${c.id}.description`)}`;
      });
    if (lines.length === 0) continue;
    sections.push(audience === 'everyone' ? lines.join('\n') : `_${t(`menu.for.${audience}`)}_\n${lines.join('\n')}`);
  }
  return sections.join('\n\n');
}
