import type { Actor } from '../domain/people-service';
import type { Surface } from './common';
import type { Form, Reply } from './reply';

/** What every handler gets: who acts, and where (the help and some answers differ per platform). */
export interface RouteContext {
  actor: Actor;
  surface: Surface;
}

/** A typed command, after its word (and its sub-command's word). */
export interface CommandInput extends RouteContext {
  /** The words that follow. */
  args: string[];
  /** The text that follows, with its own spacing and line breaks. */
  rest: string;
}

/** A clicked button or a submitted form. */
export interface ActionInput extends RouteContext {
  /** Context carried by the button or the form (ids, page numbers). */
  data: Record<string, string>;
  /** The form's inputs, by input id. */
  values: Record<string, string>;
}

/** Who the help menu lists a command for. */
export type Audience = 'everyone' | 'pilots' | 'organisers';

/** Words are folded (lower case, no accents): what a person types is folded the same way before lookup. */
export interface Words {
  /** French words; the first one is the one the help shows. */
  fr: readonly string[];
  /** English words; the first one is the one the help shows. */
  en: readonly string[];
}

export interface SubCommand {
  words: Words;
  run(input: CommandInput): Promise<Reply> | Reply;
}

export interface CommandRoute {
  /** Names its messages: `commands.<id>.description` (and `commands.<id>.args` when it takes some). */
  id: string;
  words: Words;
  /** Listed in the help menu for this audience; absent: an alias, not listed. */
  help?: Audience;
  /**
   * Sub-commands chosen by the next word (`diffusion rapport 3`). A word that matches none goes to
   * `run` with every word (`evenement 12`, `diffusion` alone).
   */
  sub?: readonly SubCommand[];
  run(input: CommandInput): Promise<Reply> | Reply;
}

export interface ActionRoute {
  /** The answer replaces the card that was clicked (a form and what it became), on Teams. */
  replaces?: boolean;
  /** What it changes shows on the Slack App Home: the Home is published again after it succeeds. */
  changesHome?: boolean;
  run(input: ActionInput): Promise<Reply> | Reply;
  /**
   * For a form's submission: the form again, as it was filled in. A FieldError thrown by `run` comes
   * back as this form with the message next to its field.
   */
  form?(input: ActionInput): Promise<Form> | Form;
}

/** One feature's routes: the commands it answers and the verbs its cards carry. */
export interface Feature<V extends string> {
  name: string;
  commands: readonly CommandRoute[];
  actions: { readonly [K in V]: ActionRoute };
}

/** Declares a feature's routes; its verbs are the keys of `actions`. */
export function feature<V extends string>(f: Feature<V>): Feature<V> {
  return f;
}

/** The verbs of a feature (or of a function that builds one). */
export type VerbsOf<F> = F extends Feature<infer V> ? V : F extends (...args: never[]) => Feature<infer V> ? V : never;
