import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startBot, type Bot } from '../../src/bot';
import { loadConfig } from '../../src/config/load';
import type { Clock } from '../../src/domain/ports';
import type { Logger } from '../../src/logger';
import { SIGNING_SECRET } from './slack-request';

export interface TestBot extends Bot {
  url: string;
  dataDir: string;
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts the real bot on loopback with the embedded store in a temporary folder. */
export async function startTestBot(options: {
  env?: Record<string, string>;
  slackApiUrl?: string;
  dataDir?: string;
  clock?: Clock;
  random?: () => number;
  programmeFile?: string;
  background?: boolean;
  /** The bot's logger (default: silent, or TEST_LOG_LEVEL). */
  log?: Logger;
}): Promise<TestBot> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'ensemble-e2e-'));
  const env: Record<string, string> = {
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(options.slackApiUrl ? { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: options.slackApiUrl } : {}),
    ...(options.programmeFile ? { PROGRAMME_FILE: options.programmeFile } : {}),
    ...(options.env ?? {}),
  };
  const config = loadConfig(env);
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const bot = await startBot({ config, log, clock: options.clock, random: options.random, host: '127.0.0.1', background: options.background ?? false });
  const url = `http://127.0.0.1:${bot.port}`;
  return {
    ...bot,
    url,
    dataDir,
    async post(p, body, headers = {}) {
      const isText = typeof body === 'string';
      const res = await fetch(`${url}${p}`, {
        method: 'POST',
        headers: { ...(isText ? {} : { 'content-type': 'application/json' }), ...headers },
        body: isText ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async close(o = {}) {
      await bot.stop();
      if (!o.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the delivery engine has nothing left to do now, in both lanes (answers to requests and
 * the bulk): no outbox message due now is still pending (claimed ones included: they stay pending until their outcome is recorded, i.e. until the
 * fake platform has answered). Everything queued before the call has then reached the platform or
 * failed for good: an absence check after it proves something, unlike one after a fixed sleep.
 */
export async function deliveriesSettled(bot: Bot, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = bot.services.clock.now().getTime();
    const next = await bot.services.store.outbox.nextDue();
    const nextReply = await bot.services.store.outbox.nextDue('reply');
    const idle = (next === null || next.getTime() > now) && (nextReply === null || nextReply.getTime() > now);
    if (idle && bot.delivery.dispatcher.stats().inFlight === 0 && bot.delivery.replyDispatcher.stats().inFlight === 0) return;
    if (Date.now() > deadline) throw new Error(`the outbox still has messages due (the earliest at ${next?.toISOString()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits until the answers to requests (the outbox's reply lane, always sent) have all gone, for bots
 * whose bulk lane the test ticks by hand (`background: false`).
 */
export async function repliesSettled(bot: Bot, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const next = await bot.services.store.outbox.nextDue('reply');
    if ((next === null || next.getTime() > bot.services.clock.now().getTime()) && bot.delivery.replyDispatcher.stats().inFlight === 0) return;
    if (Date.now() > deadline) throw new Error(`answers still due (the earliest at ${next?.toISOString()})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** All the text of a Block Kit message or an Adaptive Card, flattened, for assertions. */
export function allText(x: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(x);
  return out.join('\n');
}

/**
 * Queues what is due (broadcast runs, jobs) and sends it, in both lanes, until nothing more is due at the
 * bot's clock (bounded): with a clock the test sets, what waits for a later time (quiet hours) stays.
 */
export async function deliverDue(bot: Bot, rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await bot.delivery.tick();
    const next = await bot.services.store.outbox.nextDue();
    const reply = await bot.services.store.outbox.nextDue('reply');
    const now = bot.services.clock.now().getTime();
    if ((!next || next.getTime() > now) && (!reply || reply.getTime() > now) && bot.delivery.replyDispatcher.stats().inFlight === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
