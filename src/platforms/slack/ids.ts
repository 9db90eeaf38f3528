/** A Slack public or private channel id: `C…` or `G…`. */
export function isSlackChannelId(id: string): boolean {
  return /^[CG][A-Z0-9]{6,20}$/.test(id);
}
