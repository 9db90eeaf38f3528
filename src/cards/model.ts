import type { ChartSpec } from '../charts/spec';
/**
 * A small platform-neutral card model. A card is data: domain-facing code builds one, and two pure
 * renderers turn it into Slack Block Kit and Adaptive Cards 1.5. Text uses a tiny Markdown subset
 * understood by both renderers: **bold**, _italic_, [label](https://url), and line breaks.
 */

/**
 * The verbs a card can carry. The conversation layer registers the verbs its route tables handle here
 * (module augmentation in src/app/verbs.ts), so a card carrying a verb that nothing handles does not
 * compile. The renderers only pass verbs through.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by module augmentation
export interface VerbRegistry {}

/** A verb some route handles, e.g. `help.show`, `idea.support`. */
export type Verb = keyof VerbRegistry & string;

/** An action a person can trigger. `verb` names what the bot should do; `data` carries its arguments. */
export type CardAction =
  | {
      kind: 'submit';
      /** What the bot should do. Letters, digits, dots, dashes, underscores. */
      verb: Verb;
      label: string;
      /** Small string map sent back with the action (ids, page numbers). Never secrets. */
      data?: Record<string, string>;
      style?: 'primary' | 'danger';
    }
  | {
      kind: 'url';
      label: string;
      url: string;
      /** Told to the bot when followed, where the platform says so (Slack sends it; Teams opens the URL alone). */
      track?: { verb: Verb; data?: Record<string, string> };
    };

export interface Choice {
  title: string;
  value: string;
}

/** What every input has: an id (the key of its value), a label, and a refusal to show next to it. */
interface InputBase {
  id: string;
  label: string;
  /** Why what was submitted in this input was refused, shown next to it. */
  error?: string;
}

export type CardInput =
  | (InputBase & {
      kind: 'text';
      placeholder?: string;
      multiline?: boolean;
      maxLength?: number;
      required?: boolean;
      value?: string;
    })
  | (InputBase & { kind: 'number'; min?: number; max?: number; required?: boolean; value?: number })
  | (InputBase & { kind: 'date'; required?: boolean /** YYYY-MM-DD */; value?: string })
  | (InputBase & { kind: 'time'; required?: boolean /** HH:mm */; value?: string })
  | (InputBase & {
      kind: 'choice';
      choices: Choice[];
      multiple?: boolean;
      /** `compact` is a drop-down, `expanded` radio buttons / checkboxes. */
      style?: 'compact' | 'expanded';
      required?: boolean;
      placeholder?: string;
      /** Selected value(s); several are comma-separated when `multiple`. */
      value?: string;
    })
  | (InputBase & { kind: 'toggle'; value?: boolean })
  /**
   * A colleague, chosen with the platform's own people picker (Slack users_select: a Slack user id; Teams
   * Input.ChoiceSet searching the organisation's directory: an Entra object id).
   */
  | (InputBase & { kind: 'person'; required?: boolean; placeholder?: string; value?: string });

export type CardElement =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string; muted?: boolean }
  | { type: 'facts'; facts: Array<{ label: string; value: string }> }
  | { type: 'image'; url: string; alt: string }
  | ChartElement
  | { type: 'divider' }
  | { type: 'context'; text: string }
  | { type: 'actions'; actions: CardAction[] }
  | { type: 'input'; input: CardInput };

export interface Card {
  /** Plain text for notifications, screen readers and clients that cannot show cards. Required. */
  fallbackText: string;
  elements: CardElement[];
  /**
   * When the card is a form: the action that submits its inputs (Slack: the modal's submit button
   * and callback; Teams: an Action.Execute button that carries the inputs).
   */
  submit?: { verb: Verb; label: string; data?: Record<string, string> };
  /** A form's words for a required input left empty, for clients that check before sending (Teams). */
  requiredMessage?: string;
  /**
   * Teams only: the card refreshes itself for each viewer through this verb (Universal Actions),
   * so each person sees their own state. `userIds` lists the MRIs allowed to refresh (max 60).
   */
  refresh?: { verb: Verb; data?: Record<string, string>; userIds?: string[] };
}

/**
 * A chart: its spec (Teams draws it natively as an Adaptive Card chart), its alt text and its numbers
 * (a fact set: the fallback where charts are not drawn, e.g. Teams on iOS, and the text on Slack), and
 * the address of its PNG when the bot has a public URL (`/c/<token>.png`, the Teams fallback's image).
 * On Slack the PNG travels as an uploaded file next to the message (see `figures`), so no URL is needed.
 */
export interface ChartElement {
  type: 'chart';
  spec: ChartSpec;
  alt: string;
  facts: Array<{ label: string; value: string }>;
  imageUrl?: string;
}
