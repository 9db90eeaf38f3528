/**
 * A fake Teams Bot Connector for the broadcast benchmark, on loopback, in its own worker thread (its
 * own event loop, so its clock is not held up by the sender's work). It ENFORCES Teams' proactive
 * messaging limits on sliding windows: at most `appPerSec` accepted activities in any 1000 ms for the
 * app, and `conversationPerSec` per conversation; beyond, it answers 429 with `Retry-After: 1`.
 * It records every POST /v3/conversations/<id>/activities (accepted ones per conversation, all
 * attempts, 429s) and the peak counts seen in any sliding second.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface ConnectorOptions {
  appPerSec: number;
  conversationPerSec: number;
  /** Fake latency of an accepted request, ms (default 0). */
  latencyMs?: number;
  /** Keep every request's arrival time and status (diagnostics). */
  trace?: boolean;
}

export interface ConnectorReport {
  /** All POSTs to …/activities, accepted or not. */
  requests: number;
  accepted: number;
  rejected429: number;
  /** Conversations that received at least one activity. */
  distinctConversations: number;
  /** Accepted activities per conversation id (only those with at least one); empty in a light report. */
  perConversation: Array<[string, number]>;
  /** Most accepted activities in any sliding 1000 ms window (≤ appPerSec by construction). */
  peakAcceptedPerSec: number;
  /** Most POSTs (accepted + rejected) in any sliding 1000 ms window: what the sender actually sent. */
  peakAttemptedPerSec: number;
  /** Most accepted activities to one conversation in any sliding second. */
  peakPerConversationPerSec: number;
  /** performance.timeOrigin-based epoch ms of the first and last accepted activity. */
  firstAcceptedAt: number | null;
  lastAcceptedAt: number | null;
  /** Requests without an Authorization header (local mode) — informative. */
  unauthenticated: number;
  /** With `trace`: arrival time (epoch ms, fractional), status and conversation of every request. */
  trace?: Array<[number, number, string]>;
}

/** A sliding 1000 ms window of timestamps (ms, increasing). */
class Window {
  private readonly times: number[] = [];
  private head = 0;
  count(now: number): number {
    while (this.head < this.times.length && this.times[this.head] <= now - 1000) this.head++;
    if (this.head > 4096) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }
}

class Connector {
  private readonly app = new Window();
  private readonly attempts = new Window();
  private readonly conversations = new Map<string, number[]>();
  private readonly received = new Map<string, number>();
  private server?: http.Server;
  private r: Omit<ConnectorReport, 'perConversation' | 'distinctConversations'> = {
    requests: 0,
    accepted: 0,
    rejected429: 0,
    peakAcceptedPerSec: 0,
    peakAttemptedPerSec: 0,
    peakPerConversationPerSec: 0,
    firstAcceptedAt: null,
    lastAcceptedAt: null,
    unauthenticated: 0,
  };
  private n = 0;
  private readonly trace: Array<[number, number, string]> = [];

  constructor(private readonly opts: ConnectorOptions) {}

  async start(): Promise<string> {
    this.server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
      req.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]);
    const m = /^\/v3\/conversations\/(.+)\/activities\/?$/.exec(path);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: path } }));
      return;
    }
    const now = performance.now();
    const conv = m[1];
    this.r.requests++;
    if (!req.headers.authorization) this.r.unauthenticated++;
    this.r.peakAttemptedPerSec = Math.max(this.r.peakAttemptedPerSec, this.attempts.add(now));

    let convTimes = this.conversations.get(conv);
    if (convTimes) while (convTimes.length > 0 && convTimes[0] <= now - 1000) convTimes.shift();
    const convCount = convTimes?.length ?? 0;
    if (this.app.count(now) >= this.opts.appPerSec || convCount >= this.opts.conversationPerSec) {
      this.r.rejected429++;
      if (this.opts.trace) this.trace.push([performance.timeOrigin + now, 429, conv]);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'Throttled', message: 'Too many requests' } }));
      return;
    }
    let activity: { type?: string; attachments?: unknown[] } = {};
    try {
      activity = JSON.parse(body.toString('utf8'));
    } catch {
      /* counted all the same */
    }
    if (activity.type !== 'message') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadArgument', message: 'not a message activity' } }));
      return;
    }
    this.r.peakAcceptedPerSec = Math.max(this.r.peakAcceptedPerSec, this.app.add(now));
    if (!convTimes) {
      convTimes = [];
      this.conversations.set(conv, convTimes);
    }
    convTimes.push(now);
    this.r.peakPerConversationPerSec = Math.max(this.r.peakPerConversationPerSec, convTimes.length);
    if (this.conversations.size > 10_000) this.forgetQuietConversations(now);
    this.r.accepted++;
    if (this.opts.trace) this.trace.push([performance.timeOrigin + now, 201, conv]);
    this.received.set(conv, (this.received.get(conv) ?? 0) + 1);
    const epoch = performance.timeOrigin + now;
    this.r.firstAcceptedAt ??= epoch;
    this.r.lastAcceptedAt = epoch;
    const answer = () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `act-${++this.n}` }));
    };
    if (this.opts.latencyMs) setTimeout(answer, this.opts.latencyMs);
    else answer();
  }

  private forgetQuietConversations(now: number): void {
    for (const [conv, times] of this.conversations) if (times.length === 0 || times[times.length - 1] <= now - 1000) this.conversations.delete(conv);
  }

  /** `full`: with the per-conversation counts (and the trace); otherwise counters only (cheap, for progress). */
  report(full: boolean): ConnectorReport {
    if (!full) return { ...this.r, perConversation: [], distinctConversations: this.received.size };
    return {
      ...this.r,
      distinctConversations: this.received.size,
      perConversation: [...this.received],
      ...(this.opts.trace ? { trace: [...this.trace] } : {}),
    };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

type ToWorker = { type: 'report'; seq: number; full: boolean } | { type: 'stop' };
type FromWorker = { type: 'ready'; url: string } | { type: 'report'; seq: number; report: ConnectorReport } | { type: 'stopped' };

export interface ConnectorHandle {
  url: string;
  /** Counters only, unless `full` (then also every conversation's count: costly with many). */
  report(full?: boolean): Promise<ConnectorReport>;
  stop(): Promise<void>;
}

/**
 * Starts the connector in a worker thread; `url` is its service URL (no trailing slash). `here`: in
 * this thread instead (Jest runs this file as TypeScript, which a worker cannot load; fine when the
 * senders are other processes and this thread has little else to do).
 */
export async function startFakeConnector(opts: ConnectorOptions & { here?: boolean }): Promise<ConnectorHandle> {
  if (opts.here) {
    const connector = new Connector(opts);
    return { url: await connector.start(), report: async (full = false) => connector.report(full), stop: () => connector.stop() };
  }
  const worker = new Worker(__filename, { workerData: { role: 'broadcast-fake-connector', opts } });
  const waiting = new Map<number, (r: ConnectorReport) => void>();
  let stopped: (() => void) | undefined;
  let seq = 0;
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve(m.url);
      else if (m.type === 'report') {
        waiting.get(m.seq)?.(m.report);
        waiting.delete(m.seq);
      } else if (m.type === 'stopped') stopped?.();
    });
  });
  return {
    url,
    report: (full = false) =>
      new Promise<ConnectorReport>((resolve) => {
        const s = ++seq;
        waiting.set(s, resolve);
        worker.postMessage({ type: 'report', seq: s, full } satisfies ToWorker);
      }),
    stop: async () => {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage({ type: 'stop' } satisfies ToWorker);
      });
      await worker.terminate();
    },
  };
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'broadcast-fake-connector') {
  const connector = new Connector((workerData as { opts: ConnectorOptions }).opts);
  void connector.start().then((url) => parentPort!.postMessage({ type: 'ready', url } satisfies FromWorker));
  parentPort!.on('message', (m: ToWorker) => {
    if (m.type === 'report') parentPort!.postMessage({ type: 'report', seq: m.seq, report: connector.report(m.full) } satisfies FromWorker);
    else if (m.type === 'stop') void connector.stop().then(() => parentPort!.postMessage({ type: 'stopped' } satisfies FromWorker));
  });
}
