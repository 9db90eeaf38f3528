import { FakeServer, type Recorded } from './fake-server';

export interface SlackProfile {
  real_name?: string;
  locale?: string;
  email?: string;
}

/**
 * A fake Slack: the Web API under /api/<method> (point SLACK_API_URL at `${url}/api/`), and
 * response URLs under /respond/<id>.
 */
export class FakeSlack extends FakeServer {
  readonly profiles = new Map<string, SlackProfile>();
  /** Web API methods that answer 503 (an outage); response URLs keep working. */
  readonly down = new Set<string>();
  /** Channels (or user ids, for DMs) where chat.postMessage answers ok: false with this error (e.g. user_not_found). */
  readonly refusedChannels = new Map<string, string>();
  /** Response URLs (by id) that answer 500 this many more times. */
  readonly failingResponses = new Map<string, number>();
  /** Response URLs answer after this long (a slow Slack). */
  responseDelayMs = 0;
  private files = 0;
  /** Files people shared, served under /files/<name> to the bot token only (`fileUrl`). */
  readonly sharedFiles = new Map<string, string>();

  constructor() {
    super((req) => this.answer(req));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id = 'r1'): string {
    return `${this.url}/respond/${id}`;
  }

  /** Calls to a Web API method, e.g. "chat.postMessage". */
  calls(method: string): Recorded[] {
    return this.requests.filter((r) => r.path === `/api/${method}`);
  }

  /** Where a shared file is served (its url_private_download). */
  fileUrl(name: string): string {
    return `${this.url}/files/${encodeURIComponent(name)}`;
  }

  responses(id?: string): Recorded[] {
    return this.requests.filter((r) => (id ? r.path === `/respond/${id}` : r.path.startsWith('/respond/')));
  }

  async waitForResponse(id = 'r1', count = 1): Promise<Recorded[]> {
    return this.waitFor((r) => r.path === `/respond/${id}`, count);
  }

  async waitForCall(method: string, count = 1): Promise<Recorded[]> {
    return this.waitFor((r) => r.path === `/api/${method}`, count);
  }

  private answer(req: Recorded) {
    if (req.path.startsWith('/respond/')) {
      const id = req.path.slice('/respond/'.length);
      const failures = this.failingResponses.get(id) ?? 0;
      if (failures > 0) {
        this.failingResponses.set(id, failures - 1);
        return { status: 500, body: { ok: false } };
      }
      return { body: { ok: true }, delayMs: this.responseDelayMs };
    }
    if (req.path.startsWith('/upload/')) return { body: { ok: true } };
    if (req.path.startsWith('/files/')) {
      const file = this.sharedFiles.get(decodeURIComponent(req.path.slice('/files/'.length)));
      if (req.headers.authorization !== 'Bearer xoxb-test-token' || file === undefined) return { status: 404, text: 'not found' };
      return { text: file };
    }
    const method = req.path.replace(/^\/api\//, '').split('?')[0];
    if (this.down.has(method) || this.down.has('*')) return { status: 503, body: { ok: false, error: 'service_unavailable' } };
    switch (method) {
      case 'auth.test':
        return { body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'ensemble' } };
      case 'users.info': {
        const user = String(req.body?.user ?? '');
        const p = this.profiles.get(user) ?? { real_name: user, locale: 'fr-FR' };
        return {
          body: { ok: true, user: { id: user, real_name: p.real_name, locale: p.locale, profile: { real_name: p.real_name, display_name: p.real_name, email: p.email } } },
        };
      }
      case 'conversations.open':
        return { body: { ok: true, channel: { id: `D${String(req.body?.users ?? 'X')}` } } };
      case 'files.getUploadURLExternal':
        return { body: { ok: true, upload_url: `${this.url}/upload/F${++this.files}`, file_id: `F${this.files}` } };
      case 'files.completeUploadExternal':
        return { body: { ok: true, files: [{ id: `F${this.files}`, title: 'file' }] } };
      case 'views.open':
      case 'views.update':
        return { body: { ok: true, view: { id: 'V1', hash: 'h1' } } };
      case 'chat.postMessage': {
        const refused = this.refusedChannels.get(String(req.body?.channel ?? ''));
        if (refused) return { body: { ok: false, error: refused } };
        return { body: { ok: true, channel: req.body?.channel, ts: `${Date.now() / 1000}` } };
      }
      default:
        return { body: { ok: true } };
    }
  }
}
