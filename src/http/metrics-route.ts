import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { Platform } from '../domain/people';
import { requestKindOf } from '../platforms/request-kind';
import { isDirectLoopback } from './loopback';
import type { Metrics } from './metrics';

/** The platforms' endpoints, whose requests are counted and timed. */
const PLATFORM_ROUTES: Record<string, Platform> = { '/slack/events': 'slack', '/api/messages': 'teams' };

/**
 * Counts and times the requests of the platforms' endpoints, from their arrival to the end of their
 * answer (the acknowledgement). Mount it first, before the platforms' routes. The kind of a request
 * (command, action, message…) is what its route said it was (src/platforms/request-kind.ts).
 */
export function requestMetrics(metrics: Pick<Metrics, 'request'>, now: () => number = () => performance.now()): express.RequestHandler {
  return (req, res, next) => {
    const platform = req.method === 'POST' ? PLATFORM_ROUTES[req.path] : undefined;
    if (platform) {
      const start = now();
      res.once('finish', () => metrics.request(platform, requestKindOf(res), res.statusCode, (now() - start) / 1000));
    }
    next();
  };
}

/** Equal strings, in a time that does not tell how much of them matched (both are hashed to one length first). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `GET /metrics`, Prometheus' text format. With a token, only `Authorization: Bearer <token>` (401
 * otherwise); without one, only direct requests from this machine (403 otherwise), since the figures
 * say how busy the bot is and with whom.
 */
export function mountMetrics(app: express.Application, metrics: Pick<Metrics, 'text' | 'contentType'>, token: string | undefined): void {
  app.get('/metrics', async (req, res, next) => {
    if (token !== undefined) {
      const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
      if (!m || !sameSecret(m[1], token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ error: 'Metrics need Authorization: Bearer <METRICS_TOKEN>.' });
        return;
      }
    } else if (!isDirectLoopback(req)) {
      res.status(403).json({ error: 'Without METRICS_TOKEN, metrics answer only direct requests from this machine.' });
      return;
    }
    try {
      const body = await metrics.text();
      res.status(200).set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(body);
    } catch (e) {
      next(e);
    }
  });
}
