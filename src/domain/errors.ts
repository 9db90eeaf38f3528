import type { ZodError } from 'zod';
import type { fr } from '../i18n/fr';

/** `capacityBelowRegistered_one` and `capacityBelowRegistered_other` are one message with plural forms. */
type WithoutPlural<K extends string> = K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? Base : K;

/** The dotted paths of the leaves of a message tree: `idea.title.empty`, `event.capacityBelowRegistered`, … */
type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${WithoutPlural<K>}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/**
 * Every refusal the bot can explain: the leaves of the `errors` tree of the French messages (the bot's
 * first language), so that a code without a message is a compile error.
 */
export type ErrorCode = Exclude<Leaves<(typeof fr)['errors']>, 'title'>;

/** The codes under one family, without its prefix: `SubCode<'idea'>` is `'title.empty' | 'notFound' | …`. */
export type SubCode<Family extends string> = ErrorCode extends infer C ? (C extends `${Family}.${infer Rest}` ? Rest : never) : never;

export type ErrorParams = Record<string, string | number>;

/**
 * A refusal decided by the domain. `code` is an i18n key under `errors.`; `params` fill it in.
 * Platforms turn it into a friendly, localised reply; nothing has been changed when one is thrown.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

/** A refusal about one field of a form (its input id): forms show the message next to that field. */
export class FieldError extends DomainError {
  constructor(
    code: ErrorCode,
    readonly field: string,
    params: ErrorParams = {},
  ) {
    super(code, params);
    this.name = 'FieldError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

export function isFieldError(e: unknown): e is FieldError {
  return e instanceof FieldError;
}

/** The same refusal, about another field (e.g. the idea to merge into, checked as an idea). */
export function onField(e: unknown, field: string): never {
  if (isDomainError(e) && !isFieldError(e)) throw new FieldError(e.code, field, e.params);
  throw e;
}

/**
 * The first issue of a failed zod parse as a field error. Schemas name their issues with the code under
 * the family (`title.tooLong`); an issue without one (a wrong type) becomes `<field>.invalid`. `fields`
 * renames a schema field to the form's input id; `params` fills the message in (limits).
 */
export function zodFieldError<Family extends string>(
  family: Family,
  error: ZodError,
  options: { fields?: Record<string, string>; params?: (code: string) => ErrorParams } = {},
): FieldError {
  const issue = error.issues[0];
  const path = String(issue?.path[0] ?? 'input');
  const field = options.fields?.[path] ?? path;
  const sub = issue && /^[a-z]+\.[a-zA-Z]+$/.test(issue.message) ? issue.message : `${field}.invalid`;
  return new FieldError(`${family}.${sub}` as ErrorCode, field, options.params?.(sub) ?? {});
}
