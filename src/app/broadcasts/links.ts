import { createHmac, timingSafeEqual } from 'node:crypto';

/** Which link of which broadcast a recipient follows. */
export interface LinkRef {
  broadcastId: number;
  personId: string;
  /** The link's number: 0 is the link button (see `broadcastLinks`). */
  link: number;
}

const TOKEN_RE = /^(\d{1,12})\.(\d{1,2})\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
}

/**
 * The token of `/r/<token>`: the broadcast, the link and the person, signed with the store's secret
 * (128 bits of HMAC-SHA-256): computed per recipient in microseconds, nothing stored, and unguessable.
 */
export function linkToken(secret: string, ref: LinkRef): string {
  const body = `${ref.broadcastId}.${ref.link}.${Buffer.from(ref.personId, 'utf8').toString('base64url')}`;
  return `${body}.${mac(secret, body)}`;
}

/** What a token stands for; null when it is malformed or not signed with `secret`. */
export function readLinkToken(secret: string, token: string): LinkRef | null {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const body = `${m[1]}.${m[2]}.${m[3]}`;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(m[4]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const personId = Buffer.from(m[3], 'base64url').toString('utf8');
  return { broadcastId: Number(m[1]), link: Number(m[2]), personId };
}
