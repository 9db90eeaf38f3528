import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Something the bot sent back to a person: a Slack response_url post or a Teams activity. */
export interface Delivery {
  /** `slack`: POST /respond/<key>; `teams`: POST /v3/conversations/<key>/activities. */
  platform: 'slack' | 'teams';
  key: string;
  body: unknown;
  /** performance.now() in this thread when the whole request had arrived. */
  at: number;
}

/**
 * One loopback server standing in for Slack (Web API under /api/<method>, response URLs under
 * /respond/<key>) and for the Teams Bot Connector (/v3/conversations/<id>/activities). Unlike the test
 * fakes, it keeps no request log: it counts calls and hands replies to `onDelivery`.
 */
export class FakePlatforms {
  readonly apiCalls = new Map<string, number>();
  url = '';
  private server?: http.Server;
  private n = 0;

  constructor(private readonly onDelivery: (d: Delivery) => void = () => undefined) {}

  get slackApiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(key: string): string {
    return `${this.url}/respond/${encodeURIComponent(key)}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        const type = String(req.headers['content-type'] ?? '');
        let body: any = raw;
        try {
          if (type.includes('json')) body = raw ? JSON.parse(raw) : undefined;
          else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
        } catch {
          /* keep the raw text */
        }
        const url = req.url ?? '/';
        const { status, out } = this.answer(url, body, at);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private answer(url: string, body: any, at: number): { status: number; out: unknown } {
    if (url.startsWith('/respond/')) {
      this.onDelivery({ platform: 'slack', key: decodeURIComponent(url.slice('/respond/'.length)), body, at });
      return { status: 200, out: { ok: true } };
    }
    const teams = /^\/v3\/conversations\/([^/]+)\/activities/.exec(url);
    if (teams) {
      this.onDelivery({ platform: 'teams', key: decodeURIComponent(teams[1]), body, at });
      return { status: 201, out: { id: `act-${++this.n}` } };
    }
    if (!url.startsWith('/api/')) return { status: 404, out: { error: 'unknown route' } };
    const method = url.slice('/api/'.length).split('?')[0];
    this.apiCalls.set(method, (this.apiCalls.get(method) ?? 0) + 1);
    switch (method) {
      case 'auth.test':
        return { status: 200, out: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'ensemble' } };
      case 'users.info': {
        const user = String(body?.user ?? '');
        const name = `Agent ${user}`;
        return {
          status: 200,
          out: { ok: true, user: { id: user, real_name: name, locale: 'fr-FR', profile: { real_name: name, display_name: name, email: `${user.toLowerCase()}@exemple.fr` } } },
        };
      }
      case 'conversations.open':
        return { status: 200, out: { ok: true, channel: { id: `D${String(body?.users ?? 'X')}` } } };
      case 'chat.postMessage':
        return { status: 200, out: { ok: true, channel: body?.channel, ts: `${Date.now() / 1000}` } };
      case 'views.open':
      case 'views.update':
        return { status: 200, out: { ok: true, view: { id: 'V1', hash: 'h1' } } };
      default:
        return { status: 200, out: { ok: true } };
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/**
 * The idea numbers carried by the support buttons of a reply: Block Kit buttons whose action_id is
 * `idea.support` / `idea.support~N` (value `{"id":"42",…}`), or Adaptive Card actions with verb
 * `idea.support` (data `{id:"42",…}`).
 */
export function supportIdsIn(x: unknown): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.action_id === 'string' && /^idea\.support(~\d+)?$/.test(o.action_id) && typeof o.value === 'string') {
      try {
        const id = Number((JSON.parse(o.value) as { id?: string }).id);
        if (Number.isSafeInteger(id)) out.push(id);
      } catch {
        /* not ours */
      }
    }
    if (o.verb === 'idea.support' && o.data && typeof o.data === 'object') {
      const id = Number((o.data as { id?: string }).id);
      if (Number.isSafeInteger(id)) out.push(id);
    }
    Object.values(o).forEach(walk);
  };
  walk(x);
  return [...new Set(out)];
}
