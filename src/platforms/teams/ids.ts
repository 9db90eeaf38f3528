/** A Teams channel or team conversation id: `19:…@thread.tacv2` (or `@thread.skype` for older teams). */
export function isTeamsChannelId(id: string): boolean {
  return /^19:[^\s]{1,200}@thread\.[a-z0-9.]+$/.test(id);
}
