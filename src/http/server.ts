import express from 'express';
import { z } from 'zod';
import { BroadcastCards } from '../app/broadcasts/cards';
import { readChartToken } from '../app/chart-links';
import { renderCharts } from '../charts/pool';
import type { Services } from '../app/services';
import type { TeamsPlatform } from '../platforms/teams/app';
import { activitySchema } from '../platforms/teams/activity-schema';
import { setRequestKind, teamsRequestKind } from '../platforms/request-kind';
import { isDirectLoopback } from './loopback';
import type { Metrics } from './metrics';
import { mountMetrics, requestMetrics } from './metrics-route';

export interface HttpStatus {
  slack: 'http' | 'socket' | 'off';
  teams: 'authenticated' | 'local';
  /** Slack is ready once it has answered auth.test. */
  slackStatus?: () => { ready: boolean; detail?: string };
}

/** One Express application for the whole process: Slack's route is added by Bolt's receiver. */
export function createExpressApp(observed?: { metrics: Metrics; token?: string }): express.Application {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (observed) {
    // first: the platforms' requests are timed from their arrival
    app.use(requestMetrics(observed.metrics));
    mountMetrics(app, observed.metrics, observed.token);
  }
  return app;
}

/** Adds /api/messages (Teams), /healthz and the fallbacks. Call after Slack's receiver has mounted. */
export function mountRoutes(app: express.Application, services: Services, teams: TeamsPlatform, status: HttpStatus): void {
  app.post('/api/messages', express.json({ limit: '1mb' }), async (req, res) => {
    setRequestKind(res, teamsRequestKind(req.body));
    if (teams.mode === 'local' && !isDirectLoopback(req)) {
      // Local mode accepts no token: only this machine may talk to it, and not through a proxy.
      res.status(403).json({ error: 'Teams local mode answers only direct requests from this machine; set TEAMS_CLIENT_ID to serve Teams.' });
      return;
    }
    const hasAuth = req.headers.authorization !== undefined;
    if ((teams.mode === 'local' || hasAuth) && !activitySchema.safeParse(req.body).success) {
      res.status(400).json({ error: 'Not a Teams activity' });
      return;
    }
    const result = await teams.handle(req.body, req.headers as Record<string, string | string[]>);
    if (result.body === undefined || result.body === null) res.status(result.status).end();
    else res.status(result.status).json(result.body);
  });

  // A broadcast's counted link (Teams): a signed token per recipient and link → 302 to the address the
  // organiser gave, counted once. Anything else is a plain 404: no redirect to an address of the request's.
  const links = new BroadcastCards(services.store, services.i18n, services.publicUrl);
  const tokenSchema = z.string().min(1).max(600);
  app.get('/r/:token', async (req, res) => {
    const token = tokenSchema.safeParse(req.params.token);
    const ref = token.success ? await links.readToken(token.data) : null;
    const url = ref ? await services.broadcasts.follow(ref.personId, ref.broadcastId, ref.link) : null;
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
    if (!url) {
      const other = services.defaultLocale === 'fr' ? 'en' : 'fr';
      res
        .status(404)
        .type('text/plain; charset=utf-8')
        .send(`${services.i18n.t(services.defaultLocale, 'broadcasts.reading.unknownLink')}\n${services.i18n.t(other, 'broadcasts.reading.unknownLink')}\n`);
      return;
    }
    res.redirect(302, url);
  });

  // A chart's PNG (the fallback of a Teams chart): drawn from the spec its signed token carries, one at a
  // time, the last ones kept; a forged or malformed token is a plain 404
  const drawn = new Map<string, Buffer>();
  let drawing: Promise<unknown> = Promise.resolve();
  app.get('/c/:token', async (req, res) => {
    const token = z.string().min(1).max(2500).safeParse(req.params.token);
    const secret = token.success ? await services.store.broadcasts.linkSecret() : '';
    const spec = token.success ? readChartToken(secret, token.data) : null;
    if (!spec || !token.success) {
      res.status(404).type('text/plain; charset=utf-8').send('Not found\n');
      return;
    }
    let png = drawn.get(token.data);
    if (!png) {
      const next = drawing.then(async () => (await renderCharts([spec], services.defaultLocale))[0].png);
      drawing = next.catch(() => undefined);
      try {
        png = await next;
      } catch (e) {
        services.log.warn({ err: e }, 'chart not drawn');
        res.status(503).end();
        return;
      }
      drawn.set(token.data, png);
      if (drawn.size > 50) drawn.delete(drawn.keys().next().value as string);
    }
    res.set('Cache-Control', 'public, max-age=86400').type('image/png').send(png);
  });

  // 200 when the bot can serve (503 when its store cannot); `ready` and `notReady` say which part is not
  app.get('/healthz', async (_req, res) => {
    const store = await services.store.health();
    const slack = status.slackStatus?.() ?? { ready: status.slack !== 'off' };
    const notReady = [
      ...(store.ok ? [] : [`store: ${store.detail ?? 'unavailable'}`]),
      ...(status.slack !== 'off' && !slack.ready ? [`slack: ${slack.detail ?? 'not ready'}`] : []),
    ];
    res.status(store.ok ? 200 : 503).json({
      status: !store.ok ? 'unavailable' : notReady.length ? 'degraded' : 'ok',
      store,
      slack: status.slack,
      teams: status.teams,
      ready: { store: store.ok, slack: status.slack !== 'off' && slack.ready, teams: true },
      ...(notReady.length ? { notReady } : {}),
    });
  });

  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err.type === 'entity.parse.failed' || err.status === 400) {
      res.status(400).json({ error: 'Invalid JSON' });
      return;
    }
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: 'Request too large' });
      return;
    }
    services.log.error({ err }, 'HTTP request failed');
    res.status(500).json({ error: 'Internal error' });
  });
}
