import type { HttpMethod, HttpRouteHandler, IHttpServerAdapter } from '@microsoft/teams.apps';

/**
 * Hands the Teams SDK's messaging route to our own HTTP server, so that Slack, Teams and /healthz
 * share one port. The SDK keeps doing token validation and activity routing.
 */
export class SharedServerAdapter implements IHttpServerAdapter {
  private handler?: HttpRouteHandler;

  registerRoute(method: HttpMethod, _path: string, handler: HttpRouteHandler): void {
    if (method === 'POST') this.handler = handler;
  }

  async handle(body: unknown, headers: Record<string, string | string[]>): Promise<{ status: number; body?: unknown }> {
    if (!this.handler) return { status: 503, body: { error: 'Teams is starting' } };
    return this.handler({ body, headers });
  }
}
