import { z } from 'zod';

export const IDEA_STATUSES = ['proposee', 'a_l_etude', 'retenue', 'en_test', 'realisee', 'non_retenue'] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 2000;
export const ANSWER_MAX = 2000;
export const REASON_MAX = 500;
export const HASHTAGS_MAX = 10;
export const PAGE_SIZE = 10;

export interface Idea {
  /** Sequential number, shown as "n°42". */
  id: number;
  title: string;
  description: string;
  axisId: string;
  hashtags: string[];
  anonymous: boolean;
  /** Kept to send the author news of their idea, even when anonymous; never shown when anonymous. */
  authorId: string;
  status: IdeaStatus;
  answer?: string;
  answeredBy?: string;
  answeredAt?: Date;
  hidden?: { reason: string; by: string; at: Date };
  mergedInto?: number;
  /** A progress group's proposal: the community it is credited to (its id). */
  creditedTo?: string;
  supportCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewIdea = Pick<Idea, 'title' | 'description' | 'axisId' | 'hashtags' | 'anonymous' | 'authorId' | 'createdAt' | 'creditedTo'>;

export type IdeaSort = 'top' | 'recent';

export interface IdeaQuery {
  axisId?: string;
  hashtag?: string;
  authorId?: string;
  sort: IdeaSort;
  offset: number;
  limit: number;
}

const hashtag = z
  .string()
  .trim()
  .transform((h) => h.replace(/^#/, '').toLowerCase())
  .pipe(z.string().regex(/^[\p{L}\p{N}_-]{1,40}$/u, 'hashtag'));

/** What a person submits when proposing an idea, checked before anything is stored. */
/** True for text that is a JSON object or array (e.g. a query operator pasted into a field), never an idea. */
export function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t)) return false;
  try {
    return typeof JSON.parse(t) === 'object';
  } catch {
    return false;
  }
}

export const ideaInputSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, 'title.empty')
    .max(TITLE_MAX, 'title.tooLong')
    .refine((t) => !looksLikeJson(t), 'title.invalid'),
  description: z
    .string()
    .trim()
    .max(DESCRIPTION_MAX, 'description.tooLong')
    .refine((t) => !looksLikeJson(t), 'description.invalid')
    .default(''),
  axis: z.string().trim().min(1, 'axis.missing').max(80, 'axis.unknown'),
  hashtags: z.array(hashtag).max(HASHTAGS_MAX, 'hashtags.tooMany').default([]),
  anonymous: z.boolean().default(false),
});
export type IdeaInput = z.input<typeof ideaInputSchema>;

/** Hashtags written in a text, e.g. "#accueil #simplification". */
export function hashtagsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(^|\s)#([\p{L}\p{N}_-]{1,40})/gu)) {
    const h = m[2].toLowerCase();
    if (!out.includes(h)) out.push(h);
  }
  return out;
}

/** Splits a quick idea's text into a title (≤ 120 characters, cut at a word) and the full text as description. */
export function titleAndDescription(text: string): { title: string; description: string } {
  // hashtags written at the end are the idea's hashtags, not part of its title
  const clean =
    text
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/(\s+#[\p{L}\p{N}_-]{1,40})+$/u, '')
      .trim() || text.trim();
  if (clean.length <= TITLE_MAX) return { title: clean, description: '' };
  const firstSentence = /^(.{10,118}?[.!?])\s/.exec(clean)?.[1];
  if (firstSentence) return { title: firstSentence, description: clean.slice(0, DESCRIPTION_MAX) };
  const cut = clean.slice(0, TITLE_MAX - 1);
  const atWord = cut.lastIndexOf(' ') > 60 ? cut.slice(0, cut.lastIndexOf(' ')) : cut;
  return { title: `${atWord}…`, description: clean.slice(0, DESCRIPTION_MAX) };
}
