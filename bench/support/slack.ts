import { createHmac } from 'node:crypto';

/** The signing secret the benchmark bot is started with. */
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

/** Signs a Slack request body as Slack does (v0 HMAC-SHA256 of "v0:<timestamp>:<body>"). */
export function slackHeaders(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

/** A `/ensemble <text>` slash command, form-encoded as Slack posts it. */
export function slashCommandBody(f: { text: string; user: string; team: string; userName: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'deprecated',
    team_id: f.team,
    team_domain: 'exemple',
    channel_id: `D${f.user}`,
    channel_name: 'directmessage',
    user_id: f.user,
    user_name: f.userName,
    command: '/ensemble',
    text: f.text,
    api_app_id: 'A1',
    response_url: f.responseUrl,
    trigger_id: `${Date.now()}.1.${f.user}`,
  }).toString();
}

/** A button click (block_actions) on an ephemeral message, form-encoded as Slack posts it. */
export function blockActionBody(f: { actionId: string; value: string; user: string; team: string; userName: string; responseUrl: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: f.team, domain: 'exemple' },
    user: { id: f.user, username: f.userName, name: f.userName, team_id: f.team },
    api_app_id: 'A1',
    token: 'deprecated',
    trigger_id: `${Date.now()}.1.${f.user}`,
    response_url: f.responseUrl,
    container: { type: 'message', message_ts: '1.2', channel_id: `D${f.user}`, is_ephemeral: true },
    channel: { id: `D${f.user}`, name: 'directmessage' },
    actions: [{ type: 'button', action_id: f.actionId, block_id: 'b1', value: f.value, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
