import { FakeServer, type Recorded } from './fake-server';

/** A fake Bot Connector: records the activities the bot sends to `${url}/v3/conversations/<id>/activities`. */
export class FakeTeams extends FakeServer {
  private n = 0;

  constructor() {
    super((req) => {
      if (/^\/v3\/conversations\/[^/]+\/activities/.test(req.path)) return { status: 201, body: { id: `act-${++this.n}` } };
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
