import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Something the bot sent back to a person: a Slack response_url post, a file shared on Slack, or a Teams activity. */
export interface Delivery {
  /**
   * `slack`: POST /respond/<key>, or `file:<channel>` when files.completeUploadExternal shares uploaded
   * files in a channel (body: `{ channel, initialComment, files: [{ id, title, filename, content }] }`);
   * `teams`: POST /v3/conversations/<key>/activities.
   */
  platform: 'slack' | 'teams';
  key: string;
  body: unknown;
  /** performance.now() in this thread when the whole request had arrived. */
  at: number;
}

/** A file announced by files.getUploadURLExternal, then (maybe) posted to its upload URL. */
interface PendingUpload {
  filename: string;
  length: number;
  content?: string;
}

/**
 * One loopback server standing in for Slack (Web API under /api/<method>, response URLs under
 * /respond/<key>, file upload URLs under /upload/<file id>) and for the Teams Bot Connector
 * (/v3/conversations/<id>/activities). Unlike the test fakes, it keeps no request log: it counts calls
 * and hands replies (and files shared by files.completeUploadExternal) to `onDelivery`.
 */
export class FakePlatforms {
  readonly apiCalls = new Map<string, number>();
  url = '';
  private server?: http.Server;
  private n = 0;
  private files = 0;
  /** Files between files.getUploadURLExternal and files.completeUploadExternal (then forgotten). */
  private readonly uploads = new Map<string, PendingUpload>();

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
        const { status, out } = url.startsWith('/upload/') ? this.upload(url, raw) : this.answer(url, body, at);
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
      case 'files.getUploadURLExternal': {
        const id = `F${++this.files}`;
        this.uploads.set(id, { filename: String(body?.filename ?? ''), length: Number(body?.length ?? 0) });
        return { status: 200, out: { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id } };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(body, at);
      default:
        return { status: 200, out: { ok: true } };
    }
  }

  /** The file's bytes, posted to the URL files.getUploadURLExternal returned (as Slack's upload host does, 200 "OK"). */
  private upload(url: string, raw: string): { status: number; out: unknown } {
    const pending = this.uploads.get(decodeURIComponent(url.slice('/upload/'.length)));
    if (!pending) return { status: 404, out: { error: 'unknown upload' } };
    pending.content = raw;
    return { status: 200, out: 'OK' };
  }

  /** Shares uploaded files in a channel: handed to `onDelivery` under the key `file:<channel>`. */
  private completeUpload(body: any, at: number): { status: number; out: unknown } {
    let files: Array<{ id?: string; title?: string }> = [];
    try {
      files = typeof body?.files === 'string' ? JSON.parse(body.files) : (body?.files ?? []);
    } catch {
      return { status: 200, out: { ok: false, error: 'invalid_arguments' } };
    }
    const channel = String(body?.channel_id ?? '');
    const shared: Array<{ id: string; title?: string; filename: string; content?: string }> = [];
    for (const f of files) {
      const pending = f.id ? this.uploads.get(f.id) : undefined;
      if (!f.id || !pending || pending.content === undefined) return { status: 200, out: { ok: false, error: 'file_not_found' } };
      this.uploads.delete(f.id);
      shared.push({ id: f.id, title: f.title, filename: pending.filename, content: pending.content });
    }
    this.onDelivery({ platform: 'slack', key: `file:${channel}`, body: { channel, initialComment: body?.initial_comment, files: shared }, at });
    return { status: 200, out: { ok: true, files: shared.map((f) => ({ id: f.id, title: f.title ?? f.filename })) } };
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
  return actionIdsIn(x, 'idea.support');
}

/** The idea numbers whose « Retirer mon soutien » button a reply carries: ideas the clicker now supports. */
export function supportedIdsIn(x: unknown): number[] {
  return actionIdsIn(x, 'idea.withdraw');
}

/**
 * The registration shown by an event card, read from its buttons (whatever the language): one's own
 * card after "Je participe" has `event.unregister` for that event; `event.ics` (the calendar file) only
 * when one holds a place. undefined: no own card for this event.
 */
export function registrationIn(x: unknown, eventId: number): 'registered' | 'waiting' | undefined {
  if (!actionIdsIn(x, 'event.unregister').includes(eventId)) return undefined;
  return actionIdsIn(x, 'event.ics').includes(eventId) ? 'registered' : 'waiting';
}

/**
 * The numbers (`id` in the value / data) carried by the buttons of one verb: Block Kit buttons whose
 * action_id is `<verb>` or `<verb>~N`, Adaptive Card actions whose verb is `<verb>`.
 */
export function actionIdsIn(x: unknown, verb: string): number[] {
  const actionId = new RegExp(`^${verb.replace(/\./g, '\\.')}(~\\d+)?$`);
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.action_id === 'string' && actionId.test(o.action_id) && typeof o.value === 'string') {
      try {
        const id = Number((JSON.parse(o.value) as { id?: string }).id);
        if (Number.isSafeInteger(id)) out.push(id);
      } catch {
        /* not ours */
      }
    }
    if (o.verb === verb && o.data && typeof o.data === 'object') {
      const id = Number((o.data as { id?: string }).id);
      if (Number.isSafeInteger(id)) out.push(id);
    }
    Object.values(o).forEach(walk);
  };
  walk(x);
  return [...new Set(out)];
}
