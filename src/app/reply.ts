import type { Card, Verb } from '../cards/model';

/** A form: Slack opens it as a modal, Teams sends it as a card whose submit button carries the inputs. */
export interface Form {
  /** The verb its submission is handled by. */
  verb: Verb;
  title: string;
  submitLabel: string;
  closeLabel: string;
  card: Card;
  /** Context carried with the submission (Slack private_metadata, Teams action data). */
  data: Record<string, string>;
  /** Where the refusal of a field is shown, when not under the input of that id (field → input id). */
  fields?: Record<string, string>;
}

export interface FileOut {
  name: string;
  mime: string;
  content: Buffer;
  /** Short sentence shown with the file. */
  comment: string;
}

/** What the bot answers; each platform renders it its own way. */
export type Reply =
  /** A card. `replace`: update the message the click came from (Slack: replace_original; Teams: Action.Execute card response). */
  | {
      kind: 'card';
      card: Card;
      replace?: boolean;
      /** For the clicker alone when the clicked card is seen by many (a Slack channel post). */
      note?: Card;
      /** A file that comes with the card (e.g. a calendar entry), in the person's DM. */
      file?: FileOut;
    }
  | { kind: 'form'; form: Form }
  /** A submitted form is refused: messages per input id, and the form to show again (Teams). */
  | { kind: 'formErrors'; errors: Record<string, string>; form: Form }
  | { kind: 'file'; file: FileOut };

export function cardReply(card: Card, options: { replace?: boolean; note?: Card } = {}): Reply {
  return { kind: 'card', card, ...options };
}
