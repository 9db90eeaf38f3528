import { z } from 'zod';
import type { Audience } from '../domain/broadcasts';
import type { Consultation, ConsultationKind, Question, ResultsVisibility } from '../domain/consultations';

/** What a consultation keeps as one JSON document beside its columns (both stores). */
export interface ConsultationBody {
  kind: ConsultationKind;
  title: string;
  intro?: string;
  questions: Question[];
  audience: Audience;
  results: ResultsVisibility;
}

export function bodyOf(c: Pick<Consultation, 'kind' | 'title' | 'intro' | 'questions' | 'audience' | 'results'>): ConsultationBody {
  return { kind: c.kind, title: c.title, intro: c.intro, questions: c.questions, audience: c.audience, results: c.results };
}

const groupsSchema = z.object({ platform: z.string().optional(), axes: z.array(z.string()).optional() }).catch({});

export function decodeGroups(json: string): { platform?: string; axes?: string[] } {
  try {
    return groupsSchema.parse(JSON.parse(json));
  } catch {
    return {};
  }
}
