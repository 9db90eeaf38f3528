/**
 * A small platform-neutral card model. A card is data: domain-facing code builds one, and two pure
 * renderers turn it into Slack Block Kit and Adaptive Cards 1.5. Text uses a tiny Markdown subset
 * understood by both renderers: **bold**, _italic_, [label](https://url), and line breaks.
 */

/** An action a person can trigger. `verb` names what the bot should do; `data` carries its arguments. */
export type CardAction =
  | {
      kind: 'submit';
      /** What the bot should do, e.g. `help.show`, `idea.support`. Letters, digits, dots, dashes, underscores. */
      verb: string;
      label: string;
      /** Small string map sent back with the action (ids, page numbers). Never secrets. */
      data?: Record<string, string>;
      style?: 'primary' | 'danger';
    }
  | { kind: 'url'; label: string; url: string };

export interface Choice {
  title: string;
  value: string;
}

export type CardInput =
  | {
      kind: 'text';
      id: string;
      label: string;
      placeholder?: string;
      multiline?: boolean;
      maxLength?: number;
      required?: boolean;
      value?: string;
    }
  | { kind: 'number'; id: string; label: string; min?: number; max?: number; required?: boolean; value?: number }
  | { kind: 'date'; id: string; label: string; required?: boolean; /** YYYY-MM-DD */ value?: string }
  | { kind: 'time'; id: string; label: string; required?: boolean; /** HH:mm */ value?: string }
  | {
      kind: 'choice';
      id: string;
      label: string;
      choices: Choice[];
      multiple?: boolean;
      /** `compact` is a drop-down, `expanded` radio buttons / checkboxes. */
      style?: 'compact' | 'expanded';
      required?: boolean;
      placeholder?: string;
      /** Selected value(s); several are comma-separated when `multiple`. */
      value?: string;
    }
  | { kind: 'toggle'; id: string; label: string; value?: boolean };

export type CardElement =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string; muted?: boolean }
  | { type: 'facts'; facts: Array<{ label: string; value: string }> }
  | { type: 'image'; url: string; alt: string }
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
  submit?: { verb: string; label: string; data?: Record<string, string> };
  /**
   * Teams only: the card refreshes itself for each viewer through this verb (Universal Actions),
   * so each person sees their own state. `userIds` lists the MRIs allowed to refresh (max 60).
   */
  refresh?: { verb: string; data?: Record<string, string>; userIds?: string[] };
}
