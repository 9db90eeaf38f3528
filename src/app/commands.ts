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
  | { name: 'idea.quick'; text: string }
  | { name: 'idea.list'; args: string[] }
  | { name: 'idea.view'; id: string }
  | { name: 'idea.support'; id: string }
  | { name: 'idea.answer'; id: string; status: string; text: string }
  | { name: 'idea.hide'; id: string; reason: string }
  | { name: 'idea.merge'; from: string; into: string }
  | { name: 'idea.export' }
  | { name: 'idea.figures' }
  | { name: 'broadcast'; args: string[]; rest: string }
  | { name: 'agenda' }
  | { name: 'event'; args: string[]; rest: string }
  | { name: 'event.register' | 'event.unregister'; id?: string }
  | { name: 'idea.usage'; usage: 'answer' | 'hide' | 'merge' | 'view' }
  | { name: 'unknown'; word: string; suggestion?: string };

/** Lower-case and without accents, so "Idée", "idee" and "IDÉE" are one word. */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

type Head = Command['name'] | 'role' | 'idea' | 'ideas' | 'view' | 'support' | 'status' | 'hide' | 'merge' | 'export' | 'figures' | 'broadcast' | 'agenda' | 'event' | 'register' | 'unregister';

const WORDS: Record<string, Head> = {
  idee: 'idea',
  idea: 'idea',
  proposer: 'idea',
  propose: 'idea',
  idees: 'ideas',
  ideas: 'ideas',
  voir: 'view',
  show: 'view',
  view: 'view',
  soutenir: 'support',
  support: 'support',
  statut: 'status',
  status: 'status',
  repondre: 'status',
  answer: 'status',
  masquer: 'hide',
  hide: 'hide',
  fusionner: 'merge',
  merge: 'merge',
  export: 'export',
  exporter: 'export',
  diffusion: 'broadcast',
  diffusions: 'broadcast',
  broadcast: 'broadcast',
  broadcasts: 'broadcast',
  agenda: 'agenda',
  calendrier: 'agenda',
  evenements: 'agenda',
  events: 'agenda',
  journees: 'agenda',
  evenement: 'event',
  event: 'event',
  participer: 'register',
  inscrire: 'register',
  inscription: 'register',
  register: 'register',
  join: 'register',
  desinscrire: 'unregister',
  desinscription: 'unregister',
  unregister: 'unregister',
  leave: 'unregister',
  chiffres: 'figures',
  figures: 'figures',
  stats: 'figures',
  palmares: 'figures',
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
export const KNOWN_WORDS = ['aide', 'help', 'inspire-moi', 'inspire-me', 'role', 'idee', 'idees', 'voir', 'soutenir', 'statut', 'masquer', 'fusionner', 'export', 'chiffres', 'diffusion', 'diffusions', 'agenda', 'evenement', 'participer', 'desinscrire'];

/** Parses what a person typed after `/ensemble` (Slack) or in the Teams chat. */
export function parseCommand(text: string): Command {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { name: 'help' };
  const head = fold(tokens[0]).replace(/^\//, '');
  const kind = WORDS[head];
  const args = tokens.slice(1);
  const rest = text.trim().slice(tokens[0].length).trim();
  switch (kind) {
    case 'role':
      return parseRole(args);
    case 'idea':
      return { name: 'idea.quick', text: rest };
    case 'ideas':
      return { name: 'idea.list', args };
    case 'view':
      return args.length === 1 ? { name: 'idea.view', id: args[0] } : { name: 'idea.usage', usage: 'view' };
    case 'support':
      return args.length === 1 ? { name: 'idea.support', id: args[0] } : { name: 'idea.usage', usage: 'view' };
    case 'status':
      if (args.length < 2) return { name: 'idea.usage', usage: 'answer' };
      return { name: 'idea.answer', id: args[0], status: args[1], text: afterWords(rest, 2) };
    case 'hide':
      if (args.length < 2) return { name: 'idea.usage', usage: 'hide' };
      return { name: 'idea.hide', id: args[0], reason: afterWords(rest, 1) };
    case 'merge': {
      const ids = args.filter((a) => !['dans', 'into', 'avec', 'with', 'vers'].includes(fold(a)));
      if (ids.length !== 2) return { name: 'idea.usage', usage: 'merge' };
      return { name: 'idea.merge', from: ids[0], into: ids[1] };
    }
    case 'export':
      return { name: 'idea.export' };
    case 'figures':
      return { name: 'idea.figures' };
    case 'broadcast':
      return { name: 'broadcast', args: fold(head) === 'diffusions' || head === 'broadcasts' ? ['liste', ...args] : args, rest };
    case 'agenda':
      return { name: 'agenda' };
    case 'event':
      return { name: 'event', args, rest };
    case 'register':
      return { name: 'event.register', id: args[0] };
    case 'unregister':
      return { name: 'event.unregister', id: args[0] };
    default:
      if (kind) return { name: kind } as Command;
  }
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

/** The text after the first `n` words, with its own spacing and line breaks kept. */
function afterWords(text: string, n: number): string {
  let rest = text;
  for (let i = 0; i < n; i++) rest = rest.replace(/^\s*\S+/, '');
  return rest.trim();
}

/** "42", "n°42", "no. 42", "#42" → 42; anything else → null. */
export function numberToken(word: string | undefined): number | null {
  const m = /^(?:n°|no\.?|#)?(\d{1,9})$/i.exec((word ?? '').trim());
  return m ? Number(m[1]) : null;
}
