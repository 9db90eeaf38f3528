import type { Card } from './model';

/** A file sent to a person (a calendar entry, an export): bytes in base64, with its comment. */
export interface OutgoingFile {
  name: string;
  mime: string;
  base64: string;
  comment: string;
}

/**
 * What an outbox message carries, as the platform senders read it. A card goes to a person, a channel,
 * or answers a request (`replace`: instead of the message the request came from; `ephemeral`: seen by
 * the requester alone); a file goes to a person. Messages queued as a bare card are cards.
 */
export type Outgoing =
  | { kind: 'card'; card: Card; replace?: boolean; ephemeral?: boolean }
  | { kind: 'file'; file: OutgoingFile }
  /** A message the bot posted before (Slack `ts`, Teams activity id), replaced by this card (a corrected axis update). */
  | { kind: 'edit'; card: Card; messageId: string };

export function outgoingPayload(outgoing: Outgoing): string {
  return JSON.stringify(outgoing);
}

function isCard(x: unknown): x is Card {
  const c = x as Card | null;
  return !!c && typeof c === 'object' && Array.isArray(c.elements) && typeof c.fallbackText === 'string';
}

/** The payload of an outbox message, or null when it is not one this version can send. */
export function parseOutgoing(payload: string): Outgoing | null {
  let x: unknown;
  try {
    x = JSON.parse(payload);
  } catch {
    return null;
  }
  if (isCard(x)) return { kind: 'card', card: x };
  const o = x as Partial<Outgoing> | null;
  if (o?.kind === 'card' && isCard(o.card)) return o as Outgoing;
  if (o?.kind === 'edit' && isCard(o.card) && typeof o.messageId === 'string' && o.messageId !== '') return o as Outgoing;
  if (o?.kind === 'file' && o.file && typeof o.file.name === 'string' && typeof o.file.base64 === 'string') return o as Outgoing;
  return null;
}
