import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobLateness } from '../app/job-lateness';
import type { DeliveryMetrics } from '../delivery/metrics';
import type { Lane, OutboxDepth, SendOutcome } from '../domain/delivery';
import type { Platform } from '../domain/people';
import type { Clock } from '../domain/ports';

/** Every metric's name starts with this. */
export const METRICS_PREFIX = 'ensemble_';

const LANES: Lane[] = ['bulk', 'reply'];
const DEPTH_STATES: Array<OutboxDepth['state']> = ['pending', 'leased'];

/** Acknowledgements: Slack's limit is 3 s, the target p99 100 ms. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
/** Jobs run on a minute's tick: a few seconds late is normal, minutes are not. */
const LAG_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 900, 3600];

export interface MetricsOptions {
  clock: Clock;
  /** The outbox per lane and state, read at each scrape. */
  outboxDepth?: (now: Date) => Promise<OutboxDepth[]>;
  /** Told when the outbox could not be read for a scrape (the gauge is then left out). */
  onDepthError?: (e: unknown) => void;
}

/**
 * The bot's Prometheus metrics, in a registry of its own (several bots may run in one process: tests).
 * The delivery and the job runners report through their ports (DeliveryMetrics, JobLateness); the HTTP
 * server reports requests. Process metrics (CPU, memory, event loop, GC) are added at the first scrape,
 * so that a bot never scraped pays nothing for them.
 */
export class Metrics implements DeliveryMetrics {
  readonly registry = new Registry();
  private defaults = false;
  private readonly requests: Counter<'platform' | 'kind' | 'status'>;
  private readonly ack: Histogram<'platform' | 'kind'>;
  private readonly sends: Counter<'platform' | 'lane'>;
  private readonly failures: Counter<'platform' | 'lane' | 'permanent'>;
  private readonly limited: Counter<'platform' | 'lane'>;
  private readonly takeovers: Counter<'platform' | 'lane'>;
  private readonly lag: Histogram<'kind'>;

  constructor(opts: MetricsOptions) {
    const registers = [this.registry];
    const p = METRICS_PREFIX;
    this.requests = new Counter({
      name: `${p}requests_total`,
      help: 'Requests from the platforms, per platform, kind and HTTP status.',
      labelNames: ['platform', 'kind', 'status'],
      registers,
    });
    this.ack = new Histogram({
      name: `${p}request_ack_seconds`,
      help: 'Time from a platform request to its acknowledgement (the HTTP answer), per platform and kind.',
      labelNames: ['platform', 'kind'],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.sends = new Counter({ name: `${p}sends_total`, help: 'Messages sent from the outbox, per platform and lane.', labelNames: ['platform', 'lane'], registers });
    this.failures = new Counter({
      name: `${p}send_failures_total`,
      help: 'Failed send attempts, per platform, lane and whether the failure is permanent (429s included).',
      labelNames: ['platform', 'lane', 'permanent'],
      registers,
    });
    this.limited = new Counter({
      name: `${p}rate_limited_total`,
      help: 'Send attempts the platform refused with 429 (rate limited), per platform and lane.',
      labelNames: ['platform', 'lane'],
      registers,
    });
    this.takeovers = new Counter({
      name: `${p}lease_takeovers_total`,
      help: 'Outbox messages claimed again after the lease of another holder ran out, per platform and lane.',
      labelNames: ['platform', 'lane'],
      registers,
    });
    this.lag = new Histogram({
      name: `${p}job_lag_seconds`,
      help: 'How late due jobs and broadcast runs start (now - due time), per kind.',
      labelNames: ['kind'],
      buckets: LAG_BUCKETS,
      registers,
    });
    const { outboxDepth, onDepthError, clock } = opts;
    if (outboxDepth) {
      new Gauge({
        name: `${p}outbox_messages`,
        help: 'Outbox messages waiting, per lane, at the scrape: pending (nobody holds them) or leased (being sent).',
        labelNames: ['lane', 'state'],
        registers,
        async collect() {
          this.reset();
          let depth: OutboxDepth[];
          try {
            depth = await outboxDepth(clock.now());
          } catch (e) {
            onDepthError?.(e);
            return;
          }
          for (const lane of LANES) for (const state of DEPTH_STATES) this.set({ lane, state }, 0);
          for (const d of depth) this.set({ lane: d.lane, state: d.state }, d.count);
        },
      });
    }
  }

  /** One platform request was answered. */
  request(platform: Platform, kind: string, status: number, seconds: number): void {
    this.requests.inc({ platform, kind, status: String(status) });
    this.ack.observe({ platform, kind }, seconds);
  }

  attempted(platform: Platform, lane: Lane, outcome: SendOutcome): void {
    if (outcome.ok) {
      this.sends.inc({ platform, lane });
      return;
    }
    this.failures.inc({ platform, lane, permanent: String(outcome.permanent) });
    if (!outcome.permanent && outcome.rateLimited) this.limited.inc({ platform, lane });
  }

  takenOver(platform: Platform, lane: Lane): void {
    this.takeovers.inc({ platform, lane });
  }

  /** For the job runners (a JobLateness). */
  readonly jobLate: JobLateness = (kind, lateMs) => {
    this.lag.observe({ kind }, Math.max(0, lateMs) / 1000);
  };

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric. */
  async text(): Promise<string> {
    if (!this.defaults) {
      this.defaults = true;
      collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
    }
    return this.registry.metrics();
  }
}
