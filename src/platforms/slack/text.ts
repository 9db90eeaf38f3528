/**
 * Slack escapes mentions and links in a command's text: `<@U123|name>`, `<mailto:a@b.fr|a@b.fr>`,
 * `<https://x|x>`. Mentions become the neutral `@{slack:T/U}` token; links and e-mails their plain text.
 */
export function normaliseSlackText(text: string, teamId: string): string {
  return text
    .replace(/<@([A-Z0-9]+)(\|[^>]*)?>/g, (_m, user: string) => ` @{slack:${teamId}/${user}} `)
    .replace(/<mailto:([^|>]+)(\|[^>]*)?>/g, (_m, email: string) => email)
    .replace(/<(https?:\/\/[^|>]+)(\|[^>]*)?>/g, (_m, url: string) => url)
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, (_m, name: string) => `#${name}`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}
