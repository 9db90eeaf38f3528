import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CONSULTATION_LIMITS as L, QUESTION_TYPES, type Question, type ResultsVisibility } from './consultations';

/**
 * A questionnaire written as YAML by an organiser: checked by zod, every problem named by its line and
 * field. Messages are codes (`consultations.yaml.<code>` in the dictionaries) with parameters.
 */
export interface YamlProblem {
  line?: number;
  /** `questions[2].items`, or `(document)`. */
  field: string;
  code: YamlCode;
  params: Record<string, string | number>;
}

export type YamlCode =
  | 'syntax'
  | 'required'
  | 'invalid'
  | 'tooLong'
  | 'tooFew'
  | 'tooMany'
  | 'unknownType'
  | 'unknownField'
  | 'duplicateId'
  | 'choicesNeeded'
  | 'gridItems'
  | 'gridPrompts'
  | 'scale'
  | 'date'
  | 'closeBeforeOpen';

export interface QuestionnaireSource {
  title: string;
  intro?: string;
  anonymous: boolean;
  results: ResultsVisibility;
  /** Local date-time "YYYY-MM-DD HH:mm" or "YYYY-MM-DD" (the bot's time zone), when the file says. */
  opens?: string;
  closes?: string;
  questions: Question[];
}

/** The schema, built on first use: a questionnaire is read rarely, the bot starts with less. */
let schema: ReturnType<typeof buildSchema> | undefined;

function buildSchema() {
  const text = (max: number) =>
    z
      .string({ error: (i) => (i.input === undefined ? 'required' : 'invalid') })
      .trim()
      .min(1, 'required')
      .max(max, `tooLong:${max}`);
  const list = (max: number, min: number, what: number) =>
    z
      .array(text(what), { error: (i) => (i.input === undefined ? 'required' : 'invalid') })
      .min(min, `tooFew:${min}`)
      .max(max, `tooMany:${max}`);
  const LOCAL = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$/;
  const when = z
    .union([z.string(), z.date()])
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 16).replace('T', ' ') : v.trim()))
    .pipe(z.string().regex(LOCAL, 'date'));

  const question = z
    .object({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,29}$/i, 'invalid')
        .optional(),
      type: z.string({ error: 'required' }).refine((t) => (QUESTION_TYPES as readonly string[]).includes(t), { message: 'unknownType' }),
      text: text(L.questionLength),
      help: text(L.helpLength).optional(),
      required: z.boolean({ error: 'invalid' }).optional(),
      choices: list(L.maxChoices, L.minChoices, L.choiceLength).optional(),
      scale: z.enum(['1-5', '0-10'], { error: 'scale' }).optional(),
      items: list(L.gridItems, 1, L.choiceLength).optional(),
      prompts: list(L.gridPrompts, 1, L.choiceLength).optional(),
    })
    .strict()
    .superRefine((q, ctx) => {
      if ((q.type === 'single' || q.type === 'multiple') && !q.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choicesNeeded' });
      if (q.type === 'grid' && !q.items) ctx.addIssue({ code: 'custom', path: ['items'], message: 'gridItems' });
      if (q.type === 'grid' && !q.prompts) ctx.addIssue({ code: 'custom', path: ['prompts'], message: 'gridPrompts' });
    });

  return z
    .object({
      title: text(L.titleLength),
      intro: text(L.introLength).optional(),
      anonymous: z.boolean({ error: 'invalid' }).default(true),
      results: z.enum(['live', 'closed', 'never'], { error: 'invalid' }).default('closed'),
      opens: when.optional(),
      closes: when.optional(),
      questions: z
        .array(question, { error: (i) => (i.input === undefined ? 'required' : 'invalid') })
        .min(1, 'tooFew:1')
        .max(L.maxQuestions, `tooMany:${L.maxQuestions}`),
    })
    .strict()
    .superRefine((d, ctx) => {
      const seen = new Set<string>();
      d.questions.forEach((q, i) => {
        if (q.id && seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: 'duplicateId' });
        if (q.id) seen.add(q.id);
      });
      // "YYYY-MM-DD" and "YYYY-MM-DD HH:mm" compare as text once padded to the same length
      const pad = (s: string) => (s.length === 10 ? `${s} 00:00` : s);
      if (d.opens && d.closes && pad(d.closes) <= pad(d.opens)) ctx.addIssue({ code: 'custom', path: ['closes'], message: 'closeBeforeOpen' });
    });
}

/** The largest file accepted (a questionnaire is text: 200 kB is plenty). */
export const MAX_YAML_BYTES = 200_000;

/** Parses a questionnaire; the problems, each with its line and field, when it is not valid. */
export function parseQuestionnaire(source: string): { ok: true; value: QuestionnaireSource } | { ok: false; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors
        .slice(0, 10)
        .map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, field: '(document)', code: 'syntax' as const, params: { detail: e.message.split('\n')[0].slice(0, 200) } })),
    };
  }
  schema ??= buildSchema();
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.slice(0, 10).map((issue) => {
        const path = issue.path as Array<string | number>;
        const field =
          path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(document)';
        const [code, limit] = issue.code === 'unrecognized_keys' ? ['unknownField', (issue.keys ?? []).join(', ')] : issue.message.split(':');
        const known = [
          'required',
          'invalid',
          'tooLong',
          'tooFew',
          'tooMany',
          'unknownType',
          'unknownField',
          'duplicateId',
          'choicesNeeded',
          'gridItems',
          'gridPrompts',
          'scale',
          'date',
          'closeBeforeOpen',
        ];
        return {
          line: lineOf(doc, lineCounter, path),
          field,
          code: (known.includes(code) ? code : 'invalid') as YamlCode,
          params: { limit: limit ?? '', types: QUESTION_TYPES.join(', ') },
        };
      }),
    };
  }
  const d = parsed.data;
  const questions: Question[] = d.questions.map((q, i) => {
    const out: Question = { id: q.id ?? `q${i + 1}`, type: q.type as Question['type'], text: q.text, required: q.required ?? (q.type !== 'long' && q.type !== 'short') };
    if (q.help) out.help = q.help;
    if (q.type === 'single' || q.type === 'multiple') out.choices = q.choices;
    if (q.type === 'scale') out.scale = q.scale === '0-10' ? { min: 0, max: 10 } : { min: 1, max: 5 };
    if (q.type === 'grid') {
      out.items = q.items;
      out.prompts = q.prompts;
      out.required = q.required ?? false;
    }
    return out;
  });
  return { ok: true, value: { title: d.title, intro: d.intro, anonymous: d.anonymous, results: d.results, opens: d.opens, closes: d.closes, questions } };
}

/** The line of the deepest node of `path` that the document has (a missing field: its parent's). */
function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: Array<string | number>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}
