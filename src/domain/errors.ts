/**
 * A refusal decided by the domain. `code` is an i18n key under `errors.`; `params` fill it in.
 * Platforms turn it into a friendly, localised reply; nothing has been changed when one is thrown.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
