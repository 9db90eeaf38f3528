import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  raw: string;
  /** The body as received (a binary file). */
  bytes: Buffer;
}

export type Responder = (req: Recorded) =>
  | {
      status?: number;
      headers?: Record<string, string>;
      body?: unknown /** answer after this long */;
      delayMs?: number /** a body sent as is (a file), instead of JSON */;
      text?: string;
    }
  | undefined;

/** A small HTTP server on loopback that records every request and answers through `respond`. */
export class FakeServer {
  readonly requests: Recorded[] = [];
  private server?: http.Server;
  private waiters: Array<() => void> = [];
  url = '';

  constructor(private respond: Responder) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const raw = bytes.toString('utf8');
        let body: any = raw;
        const type = String(req.headers['content-type'] ?? '');
        try {
          if (type.includes('json')) body = raw ? JSON.parse(raw) : undefined;
          else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
        } catch {
          body = raw;
        }
        const rec: Recorded = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, raw, bytes };
        this.requests.push(rec);
        const out = this.respond(rec) ?? {};
        const answer = () => {
          if (out.text !== undefined) {
            res.writeHead(out.status ?? 200, { 'content-type': 'application/octet-stream', ...(out.headers ?? {}) });
            res.end(out.text);
          } else {
            res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...(out.headers ?? {}) });
            res.end(JSON.stringify(out.body ?? { ok: true }));
          }
          const w = this.waiters;
          this.waiters = [];
          for (const f of w) f();
        };
        if (out.delayMs) setTimeout(answer, out.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Waits until `count` recorded requests match, or fails after `timeoutMs`. */
  async waitFor(match: (r: Recorded) => boolean, count = 1, timeoutMs = 5000): Promise<Recorded[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.filter(match);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${count} matching request(s); got ${found.length}. Seen: ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
