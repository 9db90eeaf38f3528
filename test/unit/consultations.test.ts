import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Consultation, pagesOf, type StoredAnswer, type StoredResponse } from '../../src/domain/consultations';
import { computeResults, summariseTexts } from '../../src/domain/consultations-results';
import { parseQuestionnaire } from '../../src/domain/consultations-yaml';

const TEMPLATE = readFileSync(path.join(__dirname, '../../programme/consultations/cinq-ambitions.yaml'), 'utf8');

describe('questionnaires in YAML', () => {
  test('the shipped template (5 ambitions) is valid; its grid is a page of its own', () => {
    const r = parseQuestionnaire(TEMPLATE);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.anonymous).toBe(true);
    const grid = r.value.questions.find((q) => q.type === 'grid');
    expect(grid?.items).toHaveLength(5);
    expect(grid?.prompts).toEqual(["Ce qui s'améliore déjà", 'Une idée concrète pour améliorer']);
    expect(pagesOf(r.value.questions).map((p) => p.map((q) => q.id))).toEqual([['seance', 'questionnaire'], ['ambitions'], ['roles', 'recommandation', 'reactions']]);
  });

  test('every problem names its line and field: unknown type, grid without items, closing before opening, too many choices, unknown field', () => {
    const source = [
      'title: Essai', // 1
      'opens: 2026-12-10', // 2
      'closes: 2026-12-01 17:00', // 3
      'questions:', // 4
      '  - type: rating', // 5
      '    text: Une note', // 6
      '  - type: grid', // 7
      '    text: La grille', // 8
      '    prompts: [Constat]', // 9
      '  - type: single', // 10
      '    text: Trop de choix', // 11
      `    choices: [${Array.from({ length: 11 }, (_, i) => `c${i}`).join(', ')}]`, // 12
      '    colour: blue', // 13
    ].join('\n');
    const r = parseQuestionnaire(source);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const seen = r.problems.map((p) => `${p.line} ${p.field} ${p.code}`);
    expect(seen).toEqual(
      expect.arrayContaining(['5 questions[0].type unknownType', '7 questions[1].items gridItems', '12 questions[2].choices tooMany', '10 questions[2] unknownField']),
    );
    // once the questions are right, the dates are checked
    const dates = parseQuestionnaire('title: Essai\nopens: 2026-12-10\ncloses: 2026-12-01 17:00\nquestions:\n  - type: short\n    text: Un mot\n');
    expect(!dates.ok && dates.problems.map((p) => `${p.line} ${p.field} ${p.code}`)).toEqual(['3 closes closeBeforeOpen']);
  });

  test('unreadable YAML says where', () => {
    const r = parseQuestionnaire('title: "unterminated\nquestions: []\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ code: 'syntax', line: expect.any(Number) });
  });
});

describe('results', () => {
  const c = {
    id: 1,
    questions: [
      { id: 'q1', type: 'single', text: 'Oui ou non', required: true, choices: ['Oui', 'Non'] },
      { id: 'q2', type: 'scale', text: 'Recommanderiez-vous ?', required: true, scale: { min: 0, max: 10 } },
      { id: 'q3', type: 'long', text: 'Idées', required: false },
    ],
  } as unknown as Consultation;
  const responses: StoredResponse[] = ['r1', 'r2', 'r3', 'r4'].map((r, i) => ({
    responseId: r,
    day: i < 3 ? '2026-12-02' : '2026-12-03',
    groups: { platform: i < 3 ? 'slack' : 'teams' },
  }));
  const a = (responseId: string, question: string, value: string): StoredAnswer => ({ responseId, question, value, day: '2026-12-02' });
  const answers = [
    a('r1', 'q1', '0'),
    a('r2', 'q1', '0'),
    a('r3', 'q1', '1'),
    a('r4', 'q1', '0'),
    a('r1', 'q2', '10'),
    a('r2', 'q2', '9'),
    a('r3', 'q2', '7'),
    a('r4', 'q2', '3'),
    a('r1', 'q3', 'Plus de télétravail #teletravail'),
    a('r2', 'q3', 'Le télétravail et des outils modernes'),
    // someone still answering: not counted
    a('r9', 'q1', '1'),
  ];

  test('counts, percentages, average, NPS, per day; groups below the threshold hidden', () => {
    const r = computeResults(c, responses, answers, 3);
    expect(r.respondents).toBe(4);
    const [q1, q2, q3] = r.questions;
    expect(q1).toMatchObject({
      kind: 'choices',
      respondents: 4,
      options: [
        { label: 'Oui', count: 3, percent: 75 },
        { label: 'Non', count: 1, percent: 25 },
      ],
    });
    expect(q2).toMatchObject({ kind: 'scale', respondents: 4, average: 7.25, nps: 25 });
    expect(q3.kind === 'text' && q3.cells[0].words[0]).toEqual({ word: 'télétravail', count: 2 });
    expect(q3.kind === 'text' && q3.cells[0].hashtags).toEqual([{ word: 'teletravail', count: 1 }]);
    expect(r.perDay).toEqual([
      { day: '2026-12-02', count: 3 },
      { day: '2026-12-03', count: 1 },
    ]);
    expect(r.groups.map((g) => [g.by, g.group, g.respondents])).toEqual([['platform', 'slack', 3]]);
    expect(r.hiddenGroups).toBe(1);
  });

  test('word counts drop French and English stop-words and elisions', () => {
    expect(summariseTexts(["L'accueil des usagers et l'accueil du public", 'the public desk and the desk']).words).toEqual([
      { word: 'accueil', count: 2 },
      { word: 'desk', count: 2 },
      { word: 'public', count: 2 },
      { word: 'usagers', count: 1 },
    ]);
  });
});

describe('a consultation’s jobs', () => {
  const { ConsultationJobs } = require('../../src/app/consultations/jobs') as typeof import('../../src/app/consultations/jobs');
  const now = new Date('2026-12-01T09:00:00Z');
  const jobs = (offsets: number[]) =>
    new ConsultationJobs({ programme: { consultations: { reminderOffsetsHours: offsets, minGroupSize: 10 } }, clock: { now: () => now } } as never, {} as never, {} as never);
  const c = (opensAt: string, closesAt: string) => ({ id: 3, opensAt: new Date(opensAt), closesAt: new Date(closesAt) }) as Consultation;

  test('opening, a reminder per offset after the opening and still ahead, closing', () => {
    const plan = jobs([48, 4, 200]).plan(c('2026-12-02T09:00:00Z', '2026-12-08T17:00:00Z'));
    expect(plan.map((j) => [j.key, j.dueAt.toISOString()])).toEqual([
      ['consultation:3:open', '2026-12-02T09:00:00.000Z'],
      ['consultation:3:reminder:48', '2026-12-06T17:00:00.000Z'],
      ['consultation:3:reminder:4', '2026-12-08T13:00:00.000Z'],
      ['consultation:3:close', '2026-12-08T17:00:00.000Z'],
    ]);
  });

  test('a poll closing in three hours gets no reminder', () => {
    expect(
      jobs([48, 4])
        .plan(c('2026-12-01T09:00:00Z', '2026-12-01T12:00:00Z'))
        .map((j) => j.kind),
    ).toEqual(['consultation.open', 'consultation.close']);
  });
});
