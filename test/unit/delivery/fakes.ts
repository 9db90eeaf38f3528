import type { Dispatcher } from '../../../src/delivery/dispatcher';
import type { RateLimit } from '../../../src/delivery/rate-limiter';
import type { PlatformDelivery } from '../../../src/delivery/senders';
import type { NewOutboxMessage, OutboxMessage, SendOutcome } from '../../../src/domain/delivery';
import type { Platform } from '../../../src/domain/people';

export const silentLog = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined };

/** A log that keeps what it is given. */
export function recordingLog() {
  const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
  const at = (level: string) => (obj: unknown, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { warn: at('warn'), info: at('info'), error: at('error'), debug: at('debug') } as never };
}

export interface SendRecord {
  id: string;
  key: string;
  /** Which dispatcher's delivery sent it (fakes are per dispatcher, or shared with a label). */
  by: string;
  at: number;
  attempt: number;
}

/**
 * A fake platform: records every send (the moment it "reaches the platform") and answers with
 * `behaviour` (default: ok). Limits: one bucket per message target channel plus an app-wide one.
 */
export class FakeDelivery implements PlatformDelivery {
  readonly sends: SendRecord[] = [];
  inFlight = 0;
  peakInFlight = 0;

  constructor(
    readonly platform: Platform,
    private readonly opts: {
      by?: string;
      limits?: (msg: OutboxMessage) => RateLimit[];
      behaviour?: (msg: OutboxMessage, attempt: number) => SendOutcome | Promise<SendOutcome>;
      latencyMs?: number | (() => number);
      now?: () => number;
    } = {},
  ) {}

  limits(msg: OutboxMessage): RateLimit[] {
    return this.opts.limits ? this.opts.limits(msg) : [];
  }

  async send(msg: OutboxMessage): Promise<SendOutcome> {
    const attempt = this.sends.filter((s) => s.id === msg.id).length + 1;
    this.sends.push({ id: msg.id, key: msg.key, by: this.opts.by ?? 'x', at: (this.opts.now ?? Date.now)(), attempt });
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      const latency = typeof this.opts.latencyMs === 'function' ? this.opts.latencyMs() : (this.opts.latencyMs ?? 0);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      return this.opts.behaviour ? await this.opts.behaviour(msg, attempt) : { ok: true };
    } finally {
      this.inFlight--;
    }
  }
}

export function messages(n: number, opts: { source?: string; platform?: Platform; channel?: (i: number) => string; dueAt?: Date } = {}): NewOutboxMessage[] {
  const platform = opts.platform ?? 'slack';
  return Array.from({ length: n }, (_, i) => ({
    key: `${opts.source ?? 'b1'}:${i}`,
    source: opts.source ?? 'b1',
    platform,
    target: { kind: 'channel' as const, platform, channel: opts.channel ? opts.channel(i) : `C${i}` },
    payload: JSON.stringify({ fallbackText: `message ${i}`, elements: [{ type: 'text', text: `message ${i}` }] }),
    dueAt: opts.dueAt ?? new Date(0),
  }));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const systemClock = { now: () => new Date() };

export type { Dispatcher };
