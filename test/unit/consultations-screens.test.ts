import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchForm, pageForm, pollCard, resultsCard } from '../../src/app/consultations/screens';
import { loadProgramme } from '../../src/config/programme';
import { renderAdaptiveCard } from '../../src/cards';
import { renderBlockKitMessage, renderBlockKitModal, SLACK_LIMITS } from '../../src/cards/block-kit';
import { type Consultation, pagesOf } from '../../src/domain/consultations';
import { computeResults } from '../../src/domain/consultations-results';
import { parseQuestionnaire } from '../../src/domain/consultations-yaml';
import { I18n } from '../../src/i18n';

const AC = require('adaptivecards/dist/adaptivecards.js');

function adaptiveErrors(json: object): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  const events: Array<{ event: number; message: string }> = [];
  for (let i = 0; i < ctx.eventCount; i++) events.push(ctx.getEventAt(i));
  events.push(...card.validateProperties().validationEvents);
  // Teams' chart elements are not in the reference renderer: it takes their fallback, which is the point
  return events
    .filter((e) => e.event !== AC.ValidationEvent.Hint)
    .map((e) => e.message)
    .filter((m) => !/^Unknown element type "Chart\.[A-Za-z.]+"\. Fallback will be used if present\.$/.test(m));
}

const parsed = parseQuestionnaire(readFileSync(path.join(__dirname, '../../programme/consultations/cinq-ambitions.yaml'), 'utf8'));
if (!parsed.ok) throw new Error('template invalid');
const c: Consultation = {
  id: 7,
  kind: 'questionnaire',
  ...parsed.value,
  audience: { kind: 'everyone' },
  opensAt: new Date('2026-12-01T09:00:00Z'),
  closesAt: new Date('2026-12-10T16:00:00Z'),
  state: 'open',
  reached: 20,
  createdBy: 'slack:T1/UORG',
  createdAt: new Date('2026-12-01T09:00:00Z'),
};

describe.each(['fr', 'en'] as const)('consultation screens within the platforms’ limits (%s)', (locale) => {
  const t = new I18n('fr').forLocale(locale);

  test('every page: a Slack modal under 100 blocks with unique inputs, and an Adaptive Card the reference library parses', () => {
    for (const [page] of pagesOf(c.questions).entries()) {
      const form = pageForm(t, c, page, new Map());
      const modal = renderBlockKitModal(form.card, {
        callbackId: form.verb,
        title: form.title,
        submitLabel: form.submitLabel,
        closeLabel: form.closeLabel,
        privateMetadata: JSON.stringify(form.data),
      }) as {
        blocks: unknown[];
      };
      expect(modal.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
      expect(form.title.length).toBeLessThanOrEqual(SLACK_LIMITS.viewTitle);
      expect(adaptiveErrors(renderAdaptiveCard(form.card))).toEqual([]);
    }
  });

  test('the launch form starts from the dates the file gave (local time)', () => {
    const ahead = { ...c, opensAt: new Date('2026-12-07T08:00:00Z'), closesAt: new Date('2026-12-18T16:00:00Z'), createdAt: new Date('2026-12-01T09:00:00Z') };
    const form = launchForm(t, loadProgramme(undefined), locale, 'Europe/Paris', ahead);
    const value = (id: string) => form.card.elements.flatMap((e) => (e.type === 'input' && e.input.id === id ? [e.input.value] : []))[0];
    expect([value('opensDate'), value('opensTime'), value('closesDate'), value('closesTime')]).toEqual(['2026-12-07', '09:00', '2026-12-18', '17:00']);
  });

  test('a 0–10 poll: 11 buttons in one actions block; the results card renders on both', () => {
    const poll: Consultation = { ...c, kind: 'poll', questions: [{ id: 'q1', type: 'scale', text: 'Note ?', required: true, scale: { min: 0, max: 10 } }] };
    const { blocks } = renderBlockKitMessage(pollCard(t, poll, 'Europe/Paris', locale)) as unknown as { blocks: Array<{ type: string; elements?: unknown[] }> };
    expect(blocks.filter((b) => b.type === 'actions').map((b) => b.elements?.length)).toEqual([11]);
    const results = computeResults(
      c,
      [{ responseId: 'r', day: '2026-12-02', groups: { platform: 'slack' } }],
      [{ responseId: 'r', question: 'recommandation', value: '9', day: '2026-12-02' }],
      10,
    );
    const card = resultsCard(t, c, results, { reached: 20, started: 1, done: 1 }, true, 'Europe/Paris', locale);
    expect((renderBlockKitMessage(card) as { blocks: unknown[] }).blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
    expect(adaptiveErrors(renderAdaptiveCard(card))).toEqual([]);
  });
});
