import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { COMMUNITY_KINDS } from '../domain/communities';
import { isGuid } from '../domain/people';
import { DEFAULT_PRIVACY, DEFAULT_RETENTION } from '../domain/privacy';
import { DEFAULT_CONSULTATION_SETTINGS, DEFAULT_DIGEST_SLOT, DEFAULT_PILOT_PROMPTS, type Programme, WEEKDAYS } from '../domain/programme';
import { projectRoot } from './paths';

const text = z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
const localised = z.object({ fr: text, en: text.optional() }, { error: 'must be an object with "fr" (and optionally "en")' }).strict();
const identityEntry = z
  .string()
  .trim()
  .refine((v) => {
    const teams = /^teams:([^/]+)\/(.+)$/i.exec(v);
    if (teams) return isGuid(teams[1]) && isGuid(teams[2]);
    return /^(slack:[A-Z0-9]+\/[A-Z0-9]+|(email:)?[^\s@]+@[^\s@]+\.[^\s@]+)$/i.test(v);
  }, 'must be an e-mail, "slack:TEAM/USER" or "teams:TENANT/AAD-OBJECT-ID"');
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and dashes (max 40)');
const hashtag = z
  .string()
  .trim()
  .transform((h) => h.replace(/^#/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{N}_-]{1,60}$/u, 'must be a hashtag made of letters, digits, _ or -'));

const weeklySlot = z
  .object({
    day: z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as "09:00"'),
  })
  .strict();

export const programmeSchema = z
  .object({
    name: localised,
    tagline: localised,
    organisation: text,
    organisers: z.array(identityEntry).default([]),
    axes: z
      .array(
        z
          .object({
            id: slug,
            number: z.number().int().min(1).max(99),
            name: localised,
            hashtags: z.array(hashtag).min(1, 'must list at least one hashtag'),
            pilots: z.array(identityEntry).default([]),
            channel: z.object({ slack: z.string().optional(), teams: z.string().optional() }).strict().optional(),
          })
          .strict(),
      )
      .min(1, 'must list at least one axis')
      .max(20, 'must list at most 20 axes'),
    phases: z.array(z.object({ id: z.enum(['explorer', 'creer', 'tester', 'off']), name: localised, subtitle: localised, description: localised }).strict()).min(1),
    constraints: z.array(localised).min(1, 'must list at least one creative constraint'),
    ambassadorRoles: z.array(z.object({ id: slug, name: localised, description: localised }).strict()).min(1),
    missionDomains: z.array(z.object({ id: slug, name: localised, description: localised }).strict()).min(1),
    engagement: z
      .object({
        minTimePercent: z.number().min(0).max(100),
        maxTimePercent: z.number().min(0).max(100),
        termMonths: z.number().int().min(1).max(60),
      })
      .strict(),
    communities: z
      .array(
        z
          .object({
            id: slug,
            name: localised,
            kind: z.enum(COMMUNITY_KINDS as [string, ...string[]], { error: `must be one of ${COMMUNITY_KINDS.join(', ')}` }),
            description: localised,
            problem: localised.optional(),
            channel: z
              .object({ slack: z.string().min(1).optional(), teams: z.string().min(1).optional() })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
    reminderOffsetsMinutes: z
      .array(
        z
          .number()
          .int()
          .min(1)
          .max(60 * 24 * 60),
      )
      .max(10)
      .default([10080, 1440, 60]),
    digest: weeklySlot.default(DEFAULT_DIGEST_SLOT),
    pilotPrompts: weeklySlot
      .extend({ everyWeeks: z.number().int().min(1).max(8), reminderAfterDays: z.number().int().min(1).max(13) })
      .strict()
      .default(DEFAULT_PILOT_PROMPTS),
    axisUpdateIntervalDays: z.number().int().min(0).max(60).default(3),
    figuresPost: weeklySlot
      .extend({ channel: z.object({ slack: z.string().min(1).optional(), teams: z.string().min(1).optional() }).strict() })
      .strict()
      .optional(),
    consultations: z
      .object({
        reminderOffsetsHours: z
          .array(
            z
              .number()
              .int()
              .min(1)
              .max(24 * 60),
          )
          .max(5)
          .default(DEFAULT_CONSULTATION_SETTINGS.reminderOffsetsHours),
        minGroupSize: z.number().int().min(2).max(1000).default(DEFAULT_CONSULTATION_SETTINGS.minGroupSize),
      })
      .strict()
      .default(DEFAULT_CONSULTATION_SETTINGS),
    privacy: z
      .object({
        controller: text.optional(),
        dpo: z
          .object({ name: text.optional(), email: z.email('must be an e-mail address').optional(), url: z.url('must be an address such as https://…').optional() })
          .strict()
          .optional(),
        purposes: z.array(localised).max(10).optional(),
        erasedIdeas: z.enum(['anonymise', 'delete'], { error: 'must be "anonymise" or "delete"' }).default(DEFAULT_PRIVACY.erasedIdeas),
        retention: z
          .object({
            deliveredMessagesDays: z.number().int().min(1).max(3650).default(DEFAULT_RETENTION.deliveredMessagesDays),
            requestRecordsDays: z.number().int().min(2).max(3650).default(DEFAULT_RETENTION.requestRecordsDays),
            feedbackCommentsMonths: z.number().int().min(1).max(120).default(DEFAULT_RETENTION.feedbackCommentsMonths),
            inactiveMonths: z.number().int().min(1).max(120).default(DEFAULT_RETENTION.inactiveMonths),
            inactiveNoticeDays: z.number().int().min(1).max(365).default(DEFAULT_RETENTION.inactiveNoticeDays),
            draftsDays: z.number().int().min(1).max(365).default(DEFAULT_RETENTION.draftsDays),
            auditMonths: z.number().int().min(1).max(240).default(DEFAULT_RETENTION.auditMonths),
          })
          .strict()
          .default(DEFAULT_RETENTION),
        dailyAt: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as "03:30"')
          .default(DEFAULT_PRIVACY.dailyAt),
      })
      .strict()
      .default(DEFAULT_PRIVACY),
  })
  .strict()
  .superRefine((p, ctx) => {
    const dup = <T>(items: T[], key: (t: T) => string, where: string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const k = key(item);
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [where, i], message: `duplicates "${k}"` });
        seen.add(k);
      });
    };
    dup(p.axes, (a) => a.id, 'axes');
    dup(p.communities, (c) => c.id, 'communities');
    dup(p.axes, (a) => String(a.number), 'axes');
    const tags = p.axes.flatMap((a, i) => a.hashtags.map((h) => ({ h: h.toLowerCase(), i })));
    const seen = new Map<string, number>();
    for (const t of tags) {
      if (seen.has(t.h) && seen.get(t.h) !== t.i) ctx.addIssue({ code: 'custom', path: ['axes', t.i, 'hashtags'], message: `hashtag #${t.h} belongs to two axes` });
      seen.set(t.h, t.i);
    }
    if (p.engagement.minTimePercent > p.engagement.maxTimePercent) {
      ctx.addIssue({ code: 'custom', path: ['engagement', 'minTimePercent'], message: 'must not exceed maxTimePercent' });
    }
  });

export class ProgrammeError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid programme file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProgrammeError';
  }
}

export const DEFAULT_PROGRAMME_FILE = path.join(projectRoot(), 'programme', 'default.yaml');

/** Parses a programme from YAML or JSON text; every problem is reported with its line and field. */
export function parseProgramme(source: string, file: string): Programme {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProgrammeError(
      file,
      doc.errors.map((e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  const data = doc.toJS();
  const parsed = programmeSchema.safeParse(data);
  if (!parsed.success) {
    throw new ProgrammeError(
      file,
      parsed.error.issues.map((issue) => {
        const field =
          issue.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '') || '(root)';
        const line = lineOf(doc, lineCounter, issue.path as Array<string | number>);
        return `${line ? `line ${line}, ` : ''}${field}: ${issue.message}`;
      }),
    );
  }
  return parsed.data as Programme;
}

function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, p: Array<string | number>): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

export function loadProgramme(file: string | undefined): Programme {
  const target = file ? path.resolve(file) : DEFAULT_PROGRAMME_FILE;
  let source: string;
  try {
    source = readFileSync(target, 'utf8');
  } catch (e) {
    throw new ProgrammeError(target, [`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); check PROGRAMME_FILE`]);
  }
  return parseProgramme(source, target);
}
