import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import express from 'express';
import { z } from 'zod';
import type { Clock } from '../../domain/ports';
import { setRequestKind } from '../request-kind';

/** Slack's own rule: a request signed more than five minutes from now, either way, is refused. */
export const SIGNATURE_WINDOW_S = 5 * 60;

/** What a request is, once its signature is checked: the key that recognises it again, or why it is malformed. */
export type GateVerdict =
  | {
      ok: true;
      key: string;
      kind: 'command' | 'interaction' | 'event' | 'verification';
      /** For the request metrics: `command`, `action`, `view_submission`, `view_closed`, `message`, `event`, `verification`. */
      label: string;
    }
  | { ok: false; reason: string; responseUrl?: string };

const INTERACTION_LABEL = { block_actions: 'action', view_submission: 'view_submission', view_closed: 'view_closed' } as const;

export interface GateOptions {
  signingSecret: string;
  /** The wall clock of the machine (never a test's programme clock): signatures are about real time. */
  clock: Clock;
  /** Body size limit (Slack's payloads are far below). */
  limit?: string;
  /**
   * Decides what happens to a well-signed request: run it, or answer a repeat. Resolves to false for a
   * request already handled (a replay, an Events API retry), which is acknowledged without running.
   */
  admit(key: string): Promise<boolean>;
  /** A request already admitted was answered: it is not run again. */
  answered(key: string, status: number): void;
  /** A signed but malformed request: acknowledged, and told where possible that it was not understood. */
  malformed(reason: string, responseUrl: string | undefined): void;
}

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/);
const url = z.url().max(2048);

const command = z
  .object({ command: z.string().min(1).max(64), team_id: slackId, user_id: slackId, text: z.string().max(4000).optional(), trigger_id: z.string().max(256).optional() })
  .loose();

const user = z.object({ id: slackId }).loose();
const interaction = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('block_actions'),
      user,
      actions: z
        .array(z.object({ action_id: z.string().min(1).max(255) }).loose())
        .min(1)
        .max(25),
      view: z
        .object({
          id: z.string().max(64),
          state: z
            .object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) })
            .loose()
            .optional(),
        })
        .loose()
        .nullable()
        .optional(),
    })
    .loose(),
  z
    .object({
      type: z.literal('view_submission'),
      user,
      view: z
        .object({ id: z.string().max(64), callback_id: z.string().max(255), state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }).loose() })
        .loose(),
    })
    .loose(),
  z.object({ type: z.literal('view_closed'), user }).loose(),
]);

const event = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string().max(200) }).loose(),
  z.object({ type: z.literal('event_callback'), event_id: z.string().min(1).max(100), event: z.object({ type: z.string().max(64) }).loose() }).loose(),
  z.object({ type: z.literal('app_rate_limited') }).loose(),
]);

/** True when `signature` is Slack's v0 HMAC of `v0:<timestamp>:<body>` and the timestamp is within the window. */
export function verifySlackSignature(secret: string, body: Buffer, timestamp: string | undefined, signature: string | undefined, nowMs: number): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0=')) return false;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > SIGNATURE_WINDOW_S) return false;
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Reads what a signed body is. Slack sends commands as forms, interactions as a form with a JSON `payload`, events as JSON. */
export function classify(body: string, contentType: string, signature: string): GateVerdict {
  let raw: unknown;
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = parseQuery(body);
      if (typeof form.payload === 'string') {
        raw = JSON.parse(form.payload);
        const responseUrl = url.safeParse((raw as { response_url?: unknown } | null)?.response_url);
        const checked = interaction.safeParse(raw);
        if (!checked.success)
          return { ok: false, reason: `interaction: ${checked.error.issues[0]?.message ?? 'invalid'}`, responseUrl: responseUrl.success ? responseUrl.data : undefined };
        return { ok: true, kind: 'interaction', label: INTERACTION_LABEL[checked.data.type], key: `slack:sig:${signature}` };
      }
      const checked = command.safeParse(form);
      const responseUrl = url.safeParse(form.response_url);
      if (!checked.success) return { ok: false, reason: 'command: invalid', responseUrl: responseUrl.success ? responseUrl.data : undefined };
      return { ok: true, kind: 'command', label: 'command', key: `slack:sig:${signature}` };
    }
    raw = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const checked = event.safeParse(raw);
  if (!checked.success) return { ok: false, reason: 'event: invalid' };
  if (checked.data.type === 'event_callback')
    return { ok: true, kind: 'event', label: checked.data.event.type === 'message' ? 'message' : 'event', key: `slack:event:${checked.data.event_id}` };
  return { ok: true, kind: 'verification', label: 'verification', key: `slack:sig:${signature}` };
}

/**
 * The door of `/slack/events`, before Bolt: the signature and its time window (five minutes either
 * way; Bolt only refuses the past), the shape of the payload (a malformed one is acknowledged at once
 * and answered "not understood"), and repeats (the same signed request, or the same event id) that are
 * acknowledged without running again. Bolt reads the body this door has read (`rawBody`).
 */
export function slackGate(options: GateOptions): express.RequestHandler[] {
  const read = express.raw({ type: () => true, limit: options.limit ?? '1mb' });
  const gate: express.RequestHandler = (req, res, next) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.header('x-slack-signature');
    if (!verifySlackSignature(options.signingSecret, body, req.header('x-slack-request-timestamp'), signature, options.clock.now().getTime())) {
      setRequestKind(res, 'unsigned');
      res.status(401).end();
      return;
    }
    const verdict = classify(body.toString('utf8'), req.header('content-type') ?? '', signature as string);
    if (!verdict.ok) {
      setRequestKind(res, 'malformed');
      res.status(200).end();
      options.malformed(verdict.reason, verdict.responseUrl);
      return;
    }
    setRequestKind(res, verdict.label);
    options.admit(verdict.key).then(
      (first) => {
        if (!first) {
          setRequestKind(res, 'repeat');
          res.status(200).end();
          return;
        }
        res.once('finish', () => options.answered(verdict.key, res.statusCode));
        (req as express.Request & { rawBody?: Buffer }).rawBody = body;
        next();
      },
      (e: unknown) => next(e),
    );
  };
  return [read, gate];
}
