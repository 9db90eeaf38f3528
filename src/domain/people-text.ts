/**
 * C0 and C1 control characters but tab and line breaks; bidirectional embeddings, overrides and
 * isolates; and U+E000–U+E002, which mark the links the bot builds (see src/cards/text.ts).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is what this expression is for
const UNSAFE_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uE000-\uE002]/g;

/**
 * People's text as it may enter the bot (commands, form inputs, display names): without control
 * characters (NUL, ESC…), bidirectional overrides (which can make `exe.txt` read `txt.exe`) and the
 * marks of the bot's own links, so that nobody can forge one.
 */
export function peopleText(text: string): string {
  return text.replace(UNSAFE_RE, '');
}

/** The same for every value of a flat map (form inputs, button data). */
export function peopleValues(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = peopleText(v);
  return out;
}
