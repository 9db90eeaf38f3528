import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChartElement } from '../cards/model';
import { type ChartSpec, parseChartSpec } from '../charts/spec';
import type { Services } from './services';

/** A chart's token: its spec (base64url JSON) and 128 bits of HMAC-SHA-256 with the store's links secret. */
const TOKEN_RE = /^([A-Za-z0-9_-]{1,2400})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: string, body: string): string {
  return createHmac('sha256', `chart:${secret}`).update(body).digest('base64url').slice(0, 22);
}

export function chartToken(secret: string, spec: ChartSpec): string {
  const body = Buffer.from(JSON.stringify(spec), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The spec a token stands for; null when it is malformed, not signed with `secret`, or not a chart. */
export function readChartToken(secret: string, token: string): ChartSpec | null {
  const m = TOKEN_RE.exec(token.replace(/\.png$/, ''));
  if (!m) return null;
  const expected = Buffer.from(mac(secret, m[1]));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    return parseChartSpec(JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')));
  } catch {
    return null;
  }
}

/**
 * With a public URL, each chart of a Teams card gets the address of its PNG (`/c/<token>.png`, drawn by the
 * bot when asked), which the chart's fallback shows to clients that draw no chart. Nothing is stored: the
 * token carries the spec, signed; a forged one gets a 404.
 */
export async function withChartImages<T extends { elements: Array<{ type: string }> }>(s: Services, card: T): Promise<T> {
  if (!s.publicUrl || !card.elements.some((e) => e.type === 'chart')) return card;
  const secret = await s.store.broadcasts.linkSecret();
  return {
    ...card,
    elements: card.elements.map((e) => (e.type === 'chart' ? { ...(e as ChartElement), imageUrl: `${s.publicUrl}/c/${chartToken(secret, (e as ChartElement).spec)}.png` } : e)),
  };
}
