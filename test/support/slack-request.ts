import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

let triggers = 0;
/** Slack gives every command and click its own trigger_id, so no two requests it sends are the same. */
const trigger = (base: string) => `${base}.${++triggers}`;

/** Signs a Slack request body as Slack does (v0 HMAC-SHA256 of "v0:<timestamp>:<body>"). */
export function slackHeaders(body: string, options: { secret?: string; timestamp?: number; contentType?: string } = {}) {
  const ts = options.timestamp ?? Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', options.secret ?? SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

export function slashCommandBody(fields: { text: string; user?: string; team?: string; userName?: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'deprecated',
    team_id: fields.team ?? 'T1',
    team_domain: 'exemple',
    channel_id: 'D1',
    channel_name: 'directmessage',
    user_id: fields.user ?? 'U1',
    user_name: fields.userName ?? 'camille',
    command: '/ensemble',
    text: fields.text,
    api_app_id: 'A1',
    response_url: fields.responseUrl,
    trigger_id: trigger('123.456.abc'),
  }).toString();
}

/** What every block_actions payload carries: who clicked, in which workspace, on which button. */
function actionPayload(fields: { actionId: string; value: string; user?: string; team?: string }, triggerId: string, where: Record<string, unknown>): string {
  const payload = {
    type: 'block_actions',
    team: { id: fields.team ?? 'T1', domain: 'exemple' },
    user: { id: fields.user ?? 'U1', username: 'camille', name: 'camille', team_id: fields.team ?? 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    trigger_id: triggerId,
    ...where,
    actions: [{ type: 'button', action_id: fields.actionId, block_id: 'b1', value: fields.value, action_ts: '1.3' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function blockActionBody(fields: { actionId: string; value: string; user?: string; team?: string; responseUrl?: string }): string {
  return actionPayload(fields, trigger('123.456.abc'), {
    response_url: fields.responseUrl,
    container: { type: 'message', message_ts: '1.2', channel_id: 'D1', is_ephemeral: true },
    channel: { id: 'D1', name: 'directmessage' },
  });
}

/** A click on the App Home tab: no response_url; the view is the home. */
export function homeActionBody(fields: { actionId: string; value: string; user?: string; team?: string }): string {
  return actionPayload(fields, trigger('123.456.home'), {
    container: { type: 'view', view_id: 'VHOME' },
    view: { id: 'VHOME', hash: 'hh', type: 'home', callback_id: '', private_metadata: '', state: { values: {} } },
  });
}

export function eventBody(event: Record<string, unknown>, team = 'T1'): string {
  return JSON.stringify({ token: 'x', team_id: team, api_app_id: 'A1', type: 'event_callback', event_id: `Ev${Date.now()}`, event_time: Math.floor(Date.now() / 1000), event });
}

/** A block_actions click made inside an open modal (e.g. "Inspire-moi" in the idea form). */
export function modalActionBody(fields: {
  actionId: string;
  value: string;
  user?: string;
  team?: string;
  callbackId: string;
  values: Record<string, Record<string, unknown>>;
}): string {
  return actionPayload(fields, trigger('123.456.abc'), {
    container: { type: 'view', view_id: 'V1' },
    view: { id: 'V1', hash: 'h1', type: 'modal', callback_id: fields.callbackId, private_metadata: '{}', state: { values: fields.values } },
  });
}

/** A submitted modal, as Slack posts it. */
export function viewSubmissionBody(fields: {
  callbackId: string;
  values: Record<string, Record<string, unknown>>;
  privateMetadata?: string;
  user?: string;
  team?: string;
}): string {
  const payload = {
    type: 'view_submission',
    team: { id: fields.team ?? 'T1', domain: 'exemple' },
    user: { id: fields.user ?? 'U1', username: 'camille', name: 'camille', team_id: fields.team ?? 'T1' },
    api_app_id: 'A1',
    token: 'deprecated',
    trigger_id: trigger('123.456.abc'),
    view: {
      id: 'V1',
      hash: 'h1',
      type: 'modal',
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata ?? '{}',
      state: { values: fields.values },
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Slack view state for a plain text input, a select, checkboxes… keyed block_id → action_id. */
export const viewState = {
  text: (id: string, value: string) => ({ [id]: { [id]: { type: 'plain_text_input', value } } }),
  select: (id: string, value: string | null) => ({
    [id]: { [id]: { type: 'static_select', selected_option: value === null ? null : { value, text: { type: 'plain_text', text: value } } } },
  }),
  multi: (id: string, values: string[]) => ({
    [id]: { [id]: { type: 'multi_static_select', selected_options: values.map((v) => ({ value: v, text: { type: 'plain_text', text: v } })) } },
  }),
  radio: (id: string, value: string) => ({ [id]: { [id]: { type: 'radio_buttons', selected_option: { value, text: { type: 'plain_text', text: value } } } } }),
  toggle: (id: string, on: boolean) => ({ [id]: { [id]: { type: 'checkboxes', selected_options: on ? [{ value: 'true', text: { type: 'plain_text', text: 'x' } }] : [] } } }),
  number: (id: string, value: string) => ({ [id]: { [id]: { type: 'number_input', value } } }),
};
