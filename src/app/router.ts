import type { ActionRoute, CommandInput, CommandRoute, Feature, SubCommand } from './routes';
import { afterWords, distance, fold } from './words';

/** What a typed text asks for. */
export type Parsed =
  | { kind: 'empty' }
  | { kind: 'command'; route: CommandRoute; sub?: SubCommand; args: string[]; rest: string }
  | { kind: 'unknown'; word: string; suggestion?: string };

/**
 * The features' route tables, merged: command words to commands, verbs to actions. Lookups use maps, so
 * no word (`__proto__`, `constructor`) reaches an object's prototype. A word or verb declared twice is
 * a programming error, reported when the bot starts.
 */
export class Router {
  private readonly words = new Map<string, CommandRoute>();
  private readonly verbs = new Map<string, ActionRoute>();
  /** The first French and first English word of each command, for "did you mean". */
  private readonly suggestions: string[] = [];
  readonly commands: readonly CommandRoute[];

  constructor(readonly features: ReadonlyArray<Feature<string>>) {
    const commands: CommandRoute[] = [];
    for (const f of features) {
      for (const route of f.commands) {
        commands.push(route);
        for (const word of [...route.words.fr, ...route.words.en]) {
          const other = this.words.get(word);
          if (other && other !== route) throw new Error(`command word "${word}" is declared by ${other.id} and ${route.id}`);
          this.words.set(word, route);
        }
        for (const word of [route.words.fr[0], route.words.en[0]]) if (word && !this.suggestions.includes(word)) this.suggestions.push(word);
      }
      for (const [verb, action] of Object.entries<ActionRoute>(f.actions)) {
        if (this.verbs.has(verb)) throw new Error(`verb "${verb}" is declared twice (${f.name})`);
        this.verbs.set(verb, action);
      }
    }
    this.commands = commands;
  }

  /** Parses what a person typed after `/ensemble` (Slack) or in the Teams chat. */
  parse(text: string): Parsed {
    const trimmed = text.trim();
    const tokens = trimmed.split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return { kind: 'empty' };
    const head = fold(tokens[0]).replace(/^\//, '');
    const route = this.words.get(head);
    if (!route) return { kind: 'unknown', word: tokens[0].slice(0, 60), suggestion: this.closest(head) };
    const args = tokens.slice(1);
    const rest = afterWords(trimmed, 1);
    const next = args[0] === undefined ? undefined : fold(args[0]);
    const sub = next === undefined ? undefined : route.sub?.find((s) => s.words.fr.includes(next) || s.words.en.includes(next));
    if (sub) return { kind: 'command', route, sub, args: args.slice(1), rest: afterWords(rest, 1) };
    return { kind: 'command', route, args, rest };
  }

  /** Runs a parsed command. */
  run(parsed: Extract<Parsed, { kind: 'command' }>, context: Omit<CommandInput, 'args' | 'rest'>) {
    const input: CommandInput = { ...context, args: parsed.args, rest: parsed.rest };
    return parsed.sub ? parsed.sub.run(input) : parsed.route.run(input);
  }

  action(verb: string): ActionRoute | undefined {
    return this.verbs.get(verb);
  }

  /** Every verb a route handles. */
  verbList(): string[] {
    return [...this.verbs.keys()];
  }

  private closest(word: string): string | undefined {
    let best: { w: string; d: number } | undefined;
    for (const w of this.suggestions) {
      const d = distance(word, w);
      if (d <= 2 && (!best || d < best.d)) best = { w, d };
    }
    return best?.w;
  }
}
