/** Mentions arrive from the platforms normalised as `@{<person id>}` (or `@{?}` for someone unknown). */
export const MENTION = /^@\{([^}]*)\}$/;

/** Lower-case and without accents, so "Idée", "idee" and "IDÉE" are one word. */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Levenshtein distance, for short words ("did you mean"). */
export function distance(a: string, b: string): number {
  if (a.length > 40 || b.length > 40) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The text after the first `n` words, with its own spacing and line breaks kept. */
export function afterWords(text: string, n: number): string {
  let rest = text;
  for (let i = 0; i < n; i++) rest = rest.replace(/^\s*\S+/, '');
  return rest.trim();
}

/** "42", "n°42", "no. 42", "#42" → 42; anything else → null. */
export function numberToken(word: string | undefined): number | null {
  const m = /^(?:n°|no\.?|#)?(\d{1,9})$/i.exec((word ?? '').trim());
  return m ? Number(m[1]) : null;
}
