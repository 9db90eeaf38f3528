import { type Consultation, gridKey, type Question, type ResponseGroups, type StoredAnswer, type StoredResponse, scaleValues } from './consultations';

/** Results of one question. */
export type QuestionResult =
  | { kind: 'choices'; question: Question; respondents: number; options: Array<{ label: string; count: number; percent: number }> }
  | {
      kind: 'scale';
      question: Question;
      respondents: number;
      options: Array<{ label: string; count: number; percent: number }>;
      average: number | null;
      /** 0–10 scales: % promoters (9–10) − % detractors (0–6). */
      nps: number | null;
    }
  | { kind: 'text'; question: Question; respondents: number; cells: Array<{ label: string; count: number; words: WordCount[]; hashtags: WordCount[] }> };

export interface WordCount {
  word: string;
  count: number;
}

export interface GroupBreakdown {
  /** `platform`, `axis`. */
  by: string;
  group: string;
  respondents: number;
  /** Per question id (choice and scale questions): counts per option label. */
  averages: Record<string, number | null>;
}

export interface ConsultationResults {
  respondents: number;
  questions: QuestionResult[];
  /** Responses per day, oldest first. */
  perDay: Array<{ day: string; count: number }>;
  /** Only groups of at least `minGroupSize` respondents. */
  groups: GroupBreakdown[];
  /** Groups left out because they were too small. */
  hiddenGroups: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const pct = (n: number, d: number) => (d > 0 ? round1((100 * n) / d) : 0);

/** Per question counts, percentages, averages, NPS, word counts; participation per day; group breakdowns. */
export function computeResults(c: Consultation, responses: StoredResponse[], answers: StoredAnswer[], minGroupSize: number): ConsultationResults {
  // only submitted responses count (answers of someone still answering are not results yet)
  const submitted = new Set(responses.map((r) => r.responseId));
  const byKey = new Map<string, StoredAnswer[]>();
  for (const a of answers) {
    if (!submitted.has(a.responseId)) continue;
    const list = byKey.get(a.question) ?? [];
    list.push(a);
    byKey.set(a.question, list);
  }
  const questions = c.questions.map((q) => questionResult(q, byKey));
  const days = new Map<string, number>();
  for (const r of responses) days.set(r.day, (days.get(r.day) ?? 0) + 1);
  const perDay = [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, count }));
  const { groups, hidden } = breakdowns(c, responses, byKey, minGroupSize);
  return { respondents: responses.length, questions, perDay, groups, hiddenGroups: hidden };
}

/** A choice or scale question's result from its tally (value → count): a poll's live results, without reading every answer. */
export function tallyResult(q: Question, tally: Array<{ value: string; count: number }>): QuestionResult {
  const answers: StoredAnswer[] = [];
  // expanded back to one row per count: the same arithmetic as the full results
  for (const t of tally) for (let i = 0; i < t.count; i++) answers.push({ responseId: String(answers.length), question: q.id, value: t.value, day: '' });
  return questionResult(q, new Map([[q.id, answers]]));
}

function questionResult(q: Question, byKey: Map<string, StoredAnswer[]>): QuestionResult {
  if (q.type === 'single' || q.type === 'multiple') {
    const list = byKey.get(q.id) ?? [];
    const counts = (q.choices ?? []).map(() => 0);
    for (const a of list) for (const i of a.value.split(',').map(Number)) if (Number.isInteger(i) && i >= 0 && i < counts.length) counts[i]++;
    return {
      kind: 'choices',
      question: q,
      respondents: list.length,
      options: (q.choices ?? []).map((label, i) => ({ label, count: counts[i], percent: pct(counts[i], list.length) })),
    };
  }
  if (q.type === 'scale') {
    const list = (byKey.get(q.id) ?? []).map((a) => Number(a.value)).filter((n) => Number.isInteger(n));
    const values = scaleValues(q);
    const options = values.map((v) => {
      const count = list.filter((n) => n === v).length;
      return { label: String(v), count, percent: pct(count, list.length) };
    });
    const average = list.length ? Math.round((100 * list.reduce((s, n) => s + n, 0)) / list.length) / 100 : null;
    const nps = q.scale?.max === 10 && list.length ? Math.round(pct(list.filter((n) => n >= 9).length, list.length) - pct(list.filter((n) => n <= 6).length, list.length)) : null;
    return { kind: 'scale', question: q, respondents: list.length, options, average, nps };
  }
  const cells: Array<{ key: string; label: string }> =
    q.type === 'grid'
      ? (q.items ?? []).flatMap((item, i) => (q.prompts ?? []).map((prompt, j) => ({ key: gridKey(q.id, i, j), label: `${item} · ${prompt}` })))
      : [{ key: q.id, label: q.text }];
  const respondents = new Set<string>();
  const out = cells.map(({ key, label }) => {
    const texts = (byKey.get(key) ?? []).filter((a) => a.value.trim() !== '');
    for (const a of texts) respondents.add(a.responseId);
    const s = summariseTexts(texts.map((a) => a.value));
    return { label, count: texts.length, ...s };
  });
  return { kind: 'text', question: q, respondents: respondents.size, cells: out };
}

function breakdowns(c: Consultation, responses: StoredResponse[], byKey: Map<string, StoredAnswer[]>, min: number): { groups: GroupBreakdown[]; hidden: number } {
  const sets = new Map<string, { by: string; group: string; ids: Set<string> }>();
  const add = (by: string, group: string, id: string) => {
    const k = `${by}:${group}`;
    const s = sets.get(k) ?? { by, group, ids: new Set<string>() };
    s.ids.add(id);
    sets.set(k, s);
  };
  for (const r of responses) {
    const g: ResponseGroups = r.groups;
    if (g.platform) add('platform', g.platform, r.responseId);
    for (const a of g.axes ?? []) add('axis', a, r.responseId);
  }
  const groups: GroupBreakdown[] = [];
  let hidden = 0;
  const numeric = c.questions.filter((q) => q.type === 'scale');
  for (const s of sets.values()) {
    if (s.ids.size < min) {
      hidden++;
      continue;
    }
    const averages: Record<string, number | null> = {};
    for (const q of numeric) {
      const vals = (byKey.get(q.id) ?? []).filter((a) => s.ids.has(a.responseId)).map((a) => Number(a.value));
      averages[q.id] = vals.length ? Math.round((100 * vals.reduce((x, y) => x + y, 0)) / vals.length) / 100 : null;
    }
    groups.push({ by: s.by, group: s.group, respondents: s.ids.size, averages });
  }
  groups.sort((a, b) => a.by.localeCompare(b.by) || a.group.localeCompare(b.group));
  return { groups, hidden };
}

/** Short French and English stop-word lists: the words that say nothing about an answer. */
const STOP_WORDS = new Set(
  (
    'a à afin ai aie ainsi alors au aucun aussi autre aux avec avoir bien c ça car ce ceci cela celle celles celui ces cet cette chaque ci comme comment dans de des deja déjà donc dont du elle elles en encore entre est et étaient était été être eu faire fait faut il ils j je jusqu l la le les leur leurs lui m ma mais me même mes moi mon n ne ni nos notre nous on ont ou où par pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels qui sa sans se ses si son sont sur ta te tes toi ton tous tout toute toutes très tu un une vos votre vous y ' +
    'about after all also am an and any are as at be been being but by can could did do does for from had has have he her his how i if in into is it its just me more most my no not now of on one only or other our out over so some such than that the their them then there these they this those to too up us very was we were what when where which who why will with would you your'
  )
    .split(/\s+/)
    .filter(Boolean),
);

/** The most frequent words (stop-words and very short words removed) and hashtags of free texts. */
export function summariseTexts(texts: string[], top = 10): { words: WordCount[]; hashtags: WordCount[] } {
  const words = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const t of texts) {
    for (const m of t.matchAll(/#([\p{L}\p{N}_-]{2,60})/gu)) tags.set(m[1].toLowerCase(), (tags.get(m[1].toLowerCase()) ?? 0) + 1);
    const plain = t.replace(/#[\p{L}\p{N}_-]+/gu, ' ').toLowerCase();
    for (const m of plain.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
      // « l'accueil » counts as « accueil »
      const w = m[0].replace(/^[a-zà-ÿ]['’]/u, '');
      if (w.length < 3 || STOP_WORDS.has(w) || /^\d+$/.test(w)) continue;
      words.set(w, (words.get(w) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, top)
      .map(([word, count]) => ({ word, count }));
  return { words: sorted(words), hashtags: sorted(tags) };
}
