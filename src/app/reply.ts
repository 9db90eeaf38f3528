import type { Card } from '../cards/model';

/** What the bot answers; each platform renders it its own way. */
export type Reply = { kind: 'card'; card: Card };

export function cardReply(card: Card): Reply {
  return { kind: 'card', card };
}
