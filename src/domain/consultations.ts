import type { Audience } from './broadcasts';

/**
 * Consultations: a flash poll (one question) or a questionnaire (several), put to an audience between an
 * opening and a closing date. Anonymity, as stored (see the store's consultations files and the README, "Consultations and flash polls"):
 * - the register says who was asked and who has answered (consultation, person, state), never what;
 * - the answers are stored under an opaque random response id, with at most the day, never a person id;
 * - the link person → response id lives only in the register row: for an anonymous consultation, only while
 *   the person is answering (so they can stop and resume), and it is dropped when they submit; for a named
 *   (non-anonymous) one it is kept, so the person can change their answers until closing.
 */
export type QuestionType = 'single' | 'multiple' | 'scale' | 'short' | 'long' | 'grid';
export const QUESTION_TYPES = ['single', 'multiple', 'scale', 'short', 'long', 'grid'] as const satisfies readonly QuestionType[];

export type ResultsVisibility = 'live' | 'closed' | 'never';
export type ConsultationKind = 'poll' | 'questionnaire';
export type ConsultationState = 'draft' | 'scheduled' | 'open' | 'closed' | 'cancelled';

export interface Question {
  /** Stable within the consultation: letters, digits, dashes. */
  id: string;
  type: QuestionType;
  text: string;
  help?: string;
  required: boolean;
  /** single, multiple. */
  choices?: string[];
  /** scale: 1–5 or 0–10. */
  scale?: { min: 0 | 1; max: 5 | 10 };
  /** grid: each item gets one free text per prompt. */
  items?: string[];
  prompts?: string[];
}

export interface Consultation {
  id: number;
  kind: ConsultationKind;
  title: string;
  intro?: string;
  questions: Question[];
  anonymous: boolean;
  audience: Audience;
  opensAt: Date;
  closesAt: Date;
  results: ResultsVisibility;
  state: ConsultationState;
  /** People asked (register rows). */
  reached: number;
  createdBy: string;
  createdAt: Date;
}

export type NewConsultation = Omit<Consultation, 'id' | 'state' | 'reached'>;

/** One stored answer: a question key (`q1`, or `grid.2.1` for item 2 × prompt 1) and its value. */
export interface Answer {
  question: string;
  value: string;
}

/** Where a person stands in the register. */
export type RegisterState = 'invited' | 'in_progress' | 'done';

export interface RegisterRow {
  consultationId: number;
  personId: string;
  state: RegisterState;
  /** The link to the answers: while answering (anonymous), or always (named). */
  responseId?: string;
  /** The last page saved (resume there). */
  page: number;
}

/** Coarse groups of a response, for breakdowns shown only for groups of at least `minGroupSize`. */
export interface ResponseGroups {
  platform?: string;
  axes?: string[];
}

export interface StoredResponse {
  responseId: string;
  /** YYYY-MM-DD: no finer time is kept. */
  day: string;
  groups: ResponseGroups;
}

export interface StoredAnswer extends Answer {
  responseId: string;
  day: string;
}

export type SaveOutcome = 'saved' | 'submitted' | 'notInvited' | 'already';

/** Platform limits the questions must fit in (Slack's are the tighter: options, labels, blocks). */
export const CONSULTATION_LIMITS = {
  titleLength: 150,
  introLength: 2000,
  questionLength: 300,
  helpLength: 500,
  choiceLength: 75,
  minChoices: 2,
  maxChoices: 10,
  maxQuestions: 40,
  gridItems: 10,
  gridPrompts: 3,
  shortLength: 150,
  longLength: 3000,
  /** Questions on one page (a grid counts as many as its items × prompts). */
  pageWeight: 12,
} as const;

/** The key of one cell of a grid. */
export function gridKey(questionId: string, item: number, prompt: number): string {
  return `${questionId}.${item}.${prompt}`;
}

/** The pages of a questionnaire: questions in order, a page holding at most `pageWeight` inputs, a grid alone. */
export function pagesOf(questions: Question[]): Question[][] {
  const pages: Question[][] = [];
  let page: Question[] = [];
  let weight = 0;
  for (const q of questions) {
    const w = q.type === 'grid' ? (q.items?.length ?? 1) * (q.prompts?.length ?? 1) : 1;
    // a grid has a page of its own; other questions share one up to the weight
    const alone = q.type === 'grid' || page.some((x) => x.type === 'grid');
    if (page.length && (alone || weight + w > CONSULTATION_LIMITS.pageWeight)) {
      pages.push(page);
      page = [];
      weight = 0;
    }
    page.push(q);
    weight += w;
  }
  if (page.length) pages.push(page);
  return pages;
}

/** The answer keys of a question (one per grid cell, else its id). */
export function keysOf(q: Question): string[] {
  return q.type === 'grid' ? gridCells(q).map((c) => c.key) : [q.id];
}

/** The cells of a grid, item by item, prompt by prompt. */
export function gridCells(q: Question): Array<{ key: string; item: string; prompt: string; i: number; j: number }> {
  const cells: Array<{ key: string; item: string; prompt: string; i: number; j: number }> = [];
  for (const [i, item] of (q.items ?? []).entries()) for (const [j, prompt] of (q.prompts ?? []).entries()) cells.push({ key: gridKey(q.id, i, j), item, prompt, i, j });
  return cells;
}

/** The values a scale offers. */
export function scaleValues(q: Question): number[] {
  const { min, max } = q.scale ?? { min: 1, max: 5 };
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

/** The UTC day of an instant (answers keep no finer time). */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function consultationRef(id: number): string {
  return `consultation:${id}`;
}

export const consultationSources = {
  invite: (id: number) => `consultation:${id}:invite`,
  reminder: (id: number, hours: number) => `consultation:${id}:reminder:${hours}`,
  results: (id: number) => `consultation:${id}:results`,
};
