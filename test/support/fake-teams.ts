import { FakeServer, type Recorded } from './fake-server';

/** A fake Bot Connector: records the activities the bot sends to `${url}/v3/conversations/<id>/activities`. */
export class FakeTeams extends FakeServer {
  private n = 0;
  /** What the connector says of a member (GET /v3/conversations/<id>/members/<user id>); absent: 404. */
  readonly members = new Map<string, { email?: string; userPrincipalName?: string; name?: string; aadObjectId?: string }>();

  /** Conversations whose next activities are refused with 429 (Retry-After: 0), this many more times. */
  readonly throttled = new Map<string, number>();

  /** Conversations whose activities are refused for good, with this status and error code (e.g. 403, a person who removed the bot). */
  readonly refused = new Map<string, { status: number; code: string }>();

  /** Files people attached, served under /files/<name> (their pre-authenticated download URL: `fileUrl`). */
  readonly sharedFiles = new Map<string, string>();

  fileUrl(name: string): string {
    return `${this.url}/files/${encodeURIComponent(name)}`;
  }

  constructor() {
    super((req) => {
      const activities = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.path);
      if (activities) {
        const conv = decodeURIComponent(activities[1]);
        const refused = this.refused.get(conv);
        if (refused) return { status: refused.status, body: { error: { code: refused.code, message: 'refused' } } };
        const left = this.throttled.get(conv) ?? 0;
        if (left > 0) {
          this.throttled.set(conv, left - 1);
          return { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 'Throttled' } } };
        }
        return { status: 201, body: { id: `act-${++this.n}` } };
      }
      const member = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)/.exec(req.path);
      if (member && req.method === 'GET') {
        const m = this.members.get(decodeURIComponent(member[1]));
        return m ? { body: { id: decodeURIComponent(member[1]), ...m } } : { status: 404, body: { error: { code: 'MemberNotFoundInConversation' } } };
      }
      if (req.method === 'GET' && req.path.startsWith('/files/')) {
        const file = this.sharedFiles.get(decodeURIComponent(req.path.slice('/files/'.length)));
        return file === undefined ? { status: 404, text: 'not found' } : { text: file };
      }
      // a OneDrive upload session URL, as given in a file consent invoke
      if (req.method === 'PUT' && req.path.startsWith('/upload/')) return { status: 201, body: { id: 'file-1' } };
      return { status: 404, body: { error: 'unknown route' } };
    });
  }

  /** Activities sent to one conversation (or all). */
  sent(conversationId?: string): Recorded[] {
    return this.requests.filter((r) =>
      conversationId ? decodeURIComponent(r.path).startsWith(`/v3/conversations/${conversationId}/activities`) : r.path.startsWith('/v3/conversations/'),
    );
  }

  async waitForSent(conversationId: string, count = 1): Promise<Recorded[]> {
    return this.waitFor((r) => decodeURIComponent(r.path).startsWith(`/v3/conversations/${conversationId}/activities`), count);
  }
}
