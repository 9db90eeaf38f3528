import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger';

type WebClient = webApi.WebClient;

/** Who the bot is in the workspace, as `auth.test` says. */
interface Identity {
  botId?: string;
  botUserId?: string;
  teamId?: string;
}

export interface SlackAuthStatus {
  ready: boolean;
  /** Why not, when not ready. */
  detail?: string;
}

/**
 * The bot's identity (`auth.test`), asked at start and asked again with backoff until Slack answers.
 * Bolt's own start-up call caches a failure for ever (every later request is then acknowledged and
 * dropped); this one never caches a failure. While Slack's Web API is down, requests are still
 * answered where possible (a reply through response_url needs no Web API call).
 */
export class SlackAuth {
  private identity: Identity | undefined;
  private detail = 'auth.test not answered yet';
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private pending: Promise<Identity | undefined> | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly botToken: string,
    private readonly log: Logger,
    private readonly backoff = { firstMs: 500, maxMs: 60_000 },
  ) {}

  /** Asks now, then again with exponential backoff until Slack answers. */
  start(): void {
    void this.ask().then((id) => {
      if (!id) this.retryLater();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  status(): SlackAuthStatus {
    return this.identity ? { ready: true } : { ready: false, detail: this.detail };
  }

  /** Bolt's `authorize`: the known identity, or one more try, or the token alone (answer what can be answered). */
  authorize = async () => {
    const id = this.identity ?? (await this.ask());
    return { botToken: this.botToken, botId: id?.botId, botUserId: id?.botUserId, teamId: id?.teamId };
  };

  private ask(): Promise<Identity | undefined> {
    // one question at a time: the requests of a burst share the answer
    this.pending ??= (async () => {
      try {
        const r = (await this.client.auth.test({ token: this.botToken })) as { user_id?: string; bot_id?: string; team_id?: string };
        this.identity = { botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id };
        if (this.attempt > 0) this.log.info({ attempts: this.attempt + 1 }, 'Slack answered auth.test: ready');
        return this.identity;
      } catch (e) {
        this.detail = `auth.test failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
        this.log.warn({ attempt: this.attempt + 1, error: this.detail }, 'Slack is not ready');
        return undefined;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  private retryLater(): void {
    if (this.stopped || this.identity) return;
    const delay = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    this.timer = setTimeout(() => {
      void this.ask().then((id) => {
        if (!id) this.retryLater();
      });
    }, delay);
    this.timer.unref?.();
  }
}
