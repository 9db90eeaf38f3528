import type { Card, CardAction, CardElement } from '../../cards/model';
import type { BroadcastService } from '../../domain/broadcast-service';
import { type Audience, type Broadcast, broadcastLinks } from '../../domain/broadcasts';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../domain/people-service';
import { formatZoned } from '../../domain/time';
import type { Translate } from '../../i18n';
import { textCard } from '../common';
import { cardReply, type Form, type Reply } from '../reply';
import type { Services } from '../services';
import { numberToken } from '../words';
import { csvFile, localTime } from '../csv';
import { BroadcastCards, broadcastCard } from './cards';
import { communityChoices } from '../communities/flow';
import { broadcastForm } from './screens';

/** "12", "n°12" → 12. */
export function parseBroadcastNumber(word: string | undefined): number {
  const n = numberToken(word);
  if (n === null) throw new DomainError('broadcast.notFound', { id: (word ?? '').slice(0, 12) });
  return n;
}

/** Organisers' broadcasts in chat: compose, preview, confirm, list, report, cancel, retry. */
export class BroadcastFlow {
  private readonly cards: BroadcastCards;

  constructor(
    private readonly s: Services,
    private readonly broadcasts: BroadcastService,
    /** Wakes the delivery engine: a confirmed broadcast is due now. */
    private readonly wake: () => void,
  ) {
    this.cards = new BroadcastCards(s.store, s.i18n, s.publicUrl);
  }

  t(actor: Actor) {
    return this.ctx(actor).t;
  }

  private ctx(actor: Actor) {
    const locale = actor.person.locale ?? this.s.defaultLocale;
    return { locale, t: this.s.i18n.forLocale(locale) };
  }

  async audienceText(t: Translate, a: Audience): Promise<string> {
    switch (a.kind) {
      case 'axis': {
        const axis = this.s.programme.axes.find((x) => x.id === a.axisId);
        return t('broadcasts.audience.axis', { axis: axis ? `${axis.number} · ${axis.name.fr}` : a.axisId });
      }
      case 'community': {
        // the programme's, or one added in chat (in the store)
        const p = this.s.programme.communities.find((x) => x.id === a.communityId);
        const name = p ? p.name.fr : ((await this.s.store.communities.get(a.communityId))?.name ?? a.communityId);
        return t('broadcasts.audience.community', { name });
      }
      case 'channel':
        return t('broadcasts.audience.channel', { channel: a.channel, platform: a.platform === 'slack' ? 'Slack' : 'Teams' });
      default:
        return t(`broadcasts.audience.${a.kind}`);
    }
  }

  whenText(t: Translate, b: Broadcast, locale: 'fr' | 'en'): string {
    const at = b.nextRunAt ?? b.lastRunAt;
    if (b.schedule.kind === 'now') return t('broadcasts.when.nowText');
    if (b.schedule.kind === 'at') return t('broadcasts.when.atText', { at: formatZoned(b.schedule.at, this.s.timezone, locale) });
    return t('broadcasts.when.cronText', { cron: b.schedule.cron, at: at ? formatZoned(at, this.s.timezone, locale) : '—' });
  }

  async form(actor: Actor, values: Record<string, string> = {}): Promise<Form> {
    const { t, locale } = this.ctx(actor);
    return broadcastForm(t, this.s.programme, locale, this.s.timezone, values, await communityChoices(this.s, locale));
  }

  async open(actor: Actor): Promise<Reply> {
    this.broadcasts.checkOrganiser(actor);
    return { kind: 'form', form: await this.form(actor) };
  }

  /** The form's submission becomes a draft, and the organiser gets the preview with Confirm / Cancel. */
  async submit(actor: Actor, values: Record<string, string>): Promise<Reply> {
    const draft = await this.broadcasts.draft(actor, {
      message: values.message ?? '',
      linkLabel: values.linkLabel,
      linkUrl: values.linkUrl,
      audience: values.audience ?? 'everyone',
      channel: values.channel,
      when: values.when ?? 'now',
      date: values.date,
      time: values.time,
      cron: values.cron,
      ack: values.ack,
      important: values.important,
    });
    return cardReply(await this.preview(actor, draft), { replace: true });
  }

  /** `diffusion maintenant <message>`: a quick draft to everyone, previewed before it goes. */
  async quick(actor: Actor, text: string): Promise<Reply> {
    const draft = await this.broadcasts.draft(actor, { message: text, audience: 'everyone', when: 'now' });
    return cardReply(await this.preview(actor, draft));
  }

  async preview(actor: Actor, b: Broadcast): Promise<Card> {
    const { t, locale } = this.ctx(actor);
    const count = (await this.broadcasts.recipients(b.audience)).length;
    const sample = broadcastCard(b, t, { ackable: true });
    const id = String(b.id);
    return {
      fallbackText: t('broadcasts.preview', { id: b.id }),
      elements: [
        { type: 'context', text: t('broadcasts.preview', { id: b.id }) },
        { type: 'divider' },
        ...sample.elements,
        { type: 'divider' },
        {
          type: 'facts',
          facts: [
            { label: t('broadcasts.previewFacts.audience'), value: await this.audienceText(t, b.audience) },
            { label: t('broadcasts.previewFacts.count'), value: count === 0 ? t('broadcasts.emptyAudience') : t('broadcasts.countNow', { count }) },
            { label: t('broadcasts.previewFacts.when'), value: this.whenText(t, b, locale) },
            ...this.readingFacts(t, b),
          ],
        },
        {
          type: 'actions',
          actions: [
            { kind: 'submit', verb: 'broadcast.confirm', label: t('broadcasts.confirm'), style: 'primary', data: { id } },
            { kind: 'submit', verb: 'broadcast.cancel', label: t('broadcasts.cancel'), style: 'danger', data: { id } },
          ],
        },
      ],
    };
  }

  /** The acknowledgement and « important » facts of a broadcast (only those chosen). */
  private readingFacts(t: Translate, b: Broadcast): Array<{ label: string; value: string }> {
    const facts: Array<{ label: string; value: string }> = [];
    if (b.ack) facts.push({ label: t('broadcasts.reading.factAck'), value: t(`broadcasts.reading.ackText.${b.ack}`) });
    if (b.important) facts.push({ label: t('broadcasts.reading.factImportant'), value: t('broadcasts.reading.yes') });
    return facts;
  }

  /** « J'ai lu », pressed by a recipient: noted once, and the card says so (pressing again changes nothing). */
  async acknowledge(actor: Actor, id: number): Promise<Reply> {
    const { broadcast } = await this.broadcasts.acknowledge(actor, id);
    const locale = actor.person.locale ?? this.s.defaultLocale;
    const card = this.cards.forPerson(broadcast, actor.person, locale, await this.cards.linkSecret(), true);
    // the redrawn card keeps the notice's « Gérer mes notifications »
    return cardReply(this.s.notices.withFooter(card, locale), { replace: true });
  }

  /** A recipient followed a broadcast's link button on Slack (its browser opened the address itself). */
  async click(actor: Actor, id: number, link: string | undefined): Promise<Reply> {
    const n = Number(link ?? '0');
    if (Number.isSafeInteger(n) && n >= 0) await this.broadcasts.follow(actor.person.id, id, n);
    return cardReply(textCard(this.t(actor)('broadcasts.reading.clicked')));
  }

  /** `diffusion lectures N`: who acknowledged a named acknowledgement, as a CSV file. */
  async acknowledgements(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { acknowledged } = await this.broadcasts.acknowledgementNames(actor, id);
    await this.s.audit.record(actor.person.id, 'export.reading', `broadcast:${id}`, { count: acknowledged.length });
    const h = (k: string) => t(`broadcasts.reading.exportHeader.${k}`);
    const rows: Array<Array<string | number>> = [[h('person'), 'E-mail', h('platform'), h('at')]];
    for (const a of acknowledged)
      rows.push([a.person?.displayName ?? a.personId, a.person?.email ?? '', a.person?.platform === 'slack' ? 'Slack' : a.person ? 'Teams' : '', localTime(a.at, this.s.timezone)]);
    return {
      kind: 'file',
      file: { name: `lectures-diffusion-${id}.csv`, mime: 'text/csv', content: csvFile(rows), comment: t('broadcasts.reading.exportComment', { id, count: acknowledged.length }) },
    };
  }

  async confirm(actor: Actor, id: number): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const b = await this.broadcasts.confirm(actor, id);
    await this.s.audit.record(actor.person.id, 'broadcast.confirm', `broadcast:${b.id}`, { audience: b.audience.kind });
    this.wake();
    const text = t('broadcasts.confirmed', { id: b.id, when: this.whenText(t, b, locale) });
    return cardReply(
      {
        fallbackText: text,
        elements: [
          { type: 'text', text },
          {
            type: 'actions',
            actions: [
              { kind: 'submit', verb: 'broadcast.report', label: t('broadcasts.reportButton'), data: { id: String(b.id) } },
              { kind: 'submit', verb: 'broadcast.list', label: t('broadcasts.listButton') },
            ],
          },
        ],
      },
      { replace: true },
    );
  }

  async cancel(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const { dropped } = await this.broadcasts.cancel(actor, id);
    await this.s.audit.record(actor.person.id, 'broadcast.cancel', `broadcast:${id}`, { dropped });
    return cardReply(textCard(t('broadcasts.cancelled', { id, count: dropped })), { replace: true });
  }

  async list(actor: Actor): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const items = await this.broadcasts.list(actor, 10);
    const elements: CardElement[] = [{ type: 'header', text: t('broadcasts.listTitle') }];
    if (items.length === 0) elements.push({ type: 'text', text: t('broadcasts.listEmpty') });
    for (const { broadcast: b, report: r } of items) {
      const excerpt = b.message.split('\n')[0].slice(0, 120);
      elements.push({
        type: 'text',
        text: t('broadcasts.line', {
          id: b.id,
          state: t(`broadcasts.state.${b.state}`),
          audience: await this.audienceText(t, b.audience),
          when: this.whenText(t, b, locale),
          excerpt,
          sent: r.sent,
          failed: r.failed,
          pending: r.pending,
          targeted: r.targeted,
        }),
      });
      const actions: CardAction[] = [{ kind: 'submit', verb: 'broadcast.report', label: t('broadcasts.reportButton'), data: { id: String(b.id) } }];
      if (b.state === 'draft' || b.state === 'scheduled' || r.pending > 0)
        actions.push({ kind: 'submit', verb: 'broadcast.cancel', label: t('broadcasts.cancelButton'), data: { id: String(b.id) }, style: 'danger' });
      if (r.failed > 0) actions.push({ kind: 'submit', verb: 'broadcast.retry', label: t('broadcasts.retryButton'), data: { id: String(b.id) } });
      elements.push({ type: 'actions', actions });
    }
    elements.push({ type: 'actions', actions: [{ kind: 'submit', verb: 'broadcast.new', label: t('broadcasts.newButton'), style: 'primary' }] });
    return cardReply({ fallbackText: t('broadcasts.listTitle'), elements });
  }

  async report(actor: Actor, id: number): Promise<Reply> {
    const { t, locale } = this.ctx(actor);
    const { broadcast: b, report: r } = await this.broadcasts.report(actor, id);
    const reading = await this.broadcasts.reading(actor, id);
    // rates are of the messages delivered
    const rate = (count: number) => (r.sent > 0 ? t('broadcasts.reading.rate', { count, rate: Math.round((100 * count) / r.sent) }) : String(count));
    const readingFacts = this.readingFacts(t, b);
    if (b.ack) readingFacts.push({ label: t('broadcasts.reading.ackCount'), value: rate(reading.acknowledged) });
    if (broadcastLinks(b).some((url) => url !== undefined)) readingFacts.push({ label: t('broadcasts.reading.clickers'), value: rate(reading.clickers) });
    const elements: CardElement[] = [
      { type: 'header', text: t('broadcasts.reportTitle', { id }) },
      { type: 'text', text: b.message.split('\n')[0].slice(0, 200) },
      {
        type: 'facts',
        facts: [
          { label: t('broadcasts.previewFacts.audience'), value: await this.audienceText(t, b.audience) },
          { label: t('broadcasts.previewFacts.when'), value: `${t(`broadcasts.state.${b.state}`)} · ${this.whenText(t, b, locale)}` },
          { label: t('broadcasts.report.targeted'), value: String(r.targeted) },
          { label: t('broadcasts.report.sent'), value: String(r.sent) },
          { label: t('broadcasts.report.failed'), value: String(r.failed) },
          { label: t('broadcasts.report.pending'), value: String(r.pending) },
          { label: t('broadcasts.report.cancelled'), value: String(r.cancelled) },
          ...readingFacts,
        ],
      },
    ];
    if (r.reasons.length) elements.push({ type: 'text', text: `**${t('broadcasts.report.reasons')}**\n${r.reasons.map((x) => `${x.reason} × ${x.count}`).join('\n')}` });
    const actions: CardAction[] = [];
    if (r.failed > 0) actions.push({ kind: 'submit', verb: 'broadcast.retry', label: t('broadcasts.retryButton'), data: { id: String(id) } });
    if (b.ack === 'named') actions.push({ kind: 'submit', verb: 'broadcast.acks', label: t('broadcasts.reading.exportButton'), data: { id: String(id) } });
    if (actions.length) elements.push({ type: 'actions', actions });
    return cardReply({ fallbackText: t('broadcasts.reportTitle', { id }), elements });
  }

  async retry(actor: Actor, id: number): Promise<Reply> {
    const { t } = this.ctx(actor);
    const count = await this.broadcasts.retryFailed(actor, id);
    this.wake();
    return cardReply(textCard(t('broadcasts.retried', { id, count })));
  }
}
