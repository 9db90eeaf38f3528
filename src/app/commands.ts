import type { RoleName } from '../domain/roles';

/** Mentions arrive from the platforms normalised as `@{<person id>}` (or `@{?}` for someone unknown). */
export const MENTION = /^@\{([^}]*)\}$/;

export type Command =
  | { name: 'help' }
  | { name: 'inspire' }
  | { name: 'role.mine' }
  | { name: 'role.list' }
  | { name: 'role.usage' }
  | { name: 'role.grant' | 'role.revoke'; target: string; role: string; axis?: string }
  | { name: 'unknown'; word: string; suggestion?: string };

/** Lower-case and without accents, so "Idée", "idee" and "IDÉE" are one word. */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const WORDS: Record<string, Command['name'] | 'role'> = {
  aide: 'help',
  help: 'help',
  menu: 'help',
  '?': 'help',
  bonjour: 'help',
  hello: 'help',
  'inspire-moi': 'inspire',
  inspiremoi: 'inspire',
  inspire: 'inspire',
  'inspire-me': 'inspire',
  inspiration: 'inspire',
  contrainte: 'inspire',
  role: 'role',
  roles: 'role',
};

const ROLE_VERBS: Record<string, 'role.grant' | 'role.revoke' | 'role.list'> = {
  ajouter: 'role.grant',
  add: 'role.grant',
  donner: 'role.grant',
  grant: 'role.grant',
  retirer: 'role.revoke',
  remove: 'role.revoke',
  revoke: 'role.revoke',
  enlever: 'role.revoke',
  liste: 'role.list',
  list: 'role.list',
  lister: 'role.list',
};

export const ROLE_NAMES: Record<string, RoleName> = {
  pilote: 'pilote',
  pilot: 'pilote',
  organisateur: 'organisateur',
  organisatrice: 'organisateur',
  organiser: 'organisateur',
  organizer: 'organisateur',
};

/** Every word a person can type first; used for "did you mean". */
export const KNOWN_WORDS = ['aide', 'help', 'inspire-moi', 'inspire-me', 'role'];

/** Parses what a person typed after `/ensemble` (Slack) or in the Teams chat. */
export function parseCommand(text: string): Command {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { name: 'help' };
  const head = fold(tokens[0]).replace(/^\//, '');
  const kind = WORDS[head];
  if (kind === 'role') return parseRole(tokens.slice(1));
  if (kind) return { name: kind } as Command;
  return { name: 'unknown', word: tokens[0].slice(0, 60), suggestion: closest(head) };
}

function parseRole(args: string[]): Command {
  if (args.length === 0) return { name: 'role.mine' };
  const verb = ROLE_VERBS[fold(args[0])];
  if (verb === 'role.list') return { name: 'role.list' };
  if (!verb || args.length < 3 || args.length > 4) return { name: 'role.usage' };
  return { name: verb, target: args[1], role: fold(args[2]), axis: args[3] };
}

function closest(word: string): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of KNOWN_WORDS) {
    const d = distance(word, w);
    if (d <= 2 && (!best || d < best.d)) best = { w, d };
  }
  return best?.w;
}

/** Levenshtein distance, for short words. */
function distance(a: string, b: string): number {
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
