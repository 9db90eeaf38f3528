/** What the store has just written (or read under its lock): missing, it is a broken store, not a refusal. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`store: ${what} is missing`);
  return value;
}
