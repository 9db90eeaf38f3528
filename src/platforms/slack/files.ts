import { z } from 'zod';

/** The largest attachment read (questionnaires are small text files). */
export const MAX_DOWNLOAD_BYTES = 256_000;
/** The request is still open while the file is read: briefly. */
const DOWNLOAD_TIMEOUT_MS = 2000;

/** A file of a `file_share` message, as Slack describes it (built on first use). */
function fileSchema() {
  return z
    .object({
      name: z.string().min(1).max(255),
      size: z.number().int().min(0).optional(),
      url_private_download: z.url().max(3000).optional(),
      url_private: z.url().max(3000).optional(),
    })
    .loose();
}

let schema: ReturnType<typeof fileSchema> | undefined;

/** The shared file of a `file_share` message, checked. */
export function sharedFile(raw: unknown) {
  schema ??= fileSchema();
  return schema.safeParse(raw);
}

export type SharedFile = z.infer<ReturnType<typeof fileSchema>>;

/**
 * Reads a file shared with the bot: `url_private(_download)` with the bot token (Slack's files need it).
 * Only Slack's own file host, or the host of SLACK_API_URL (tests, proxies), gets the token.
 */
export async function downloadSlackFile(file: SharedFile, botToken: string, apiUrl: string | undefined): Promise<Buffer> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new Error('no file address');
  const target = new URL(url);
  const allowed = target.protocol === 'https:' && target.hostname === 'files.slack.com';
  const sameAsApi = apiUrl !== undefined && new URL(apiUrl).origin === target.origin;
  if (!allowed && !sameAsApi) throw new Error(`file host not trusted: ${target.hostname}`);
  if ((file.size ?? 0) > MAX_DOWNLOAD_BYTES) return Buffer.alloc(MAX_DOWNLOAD_BYTES + 1);
  const res = await fetch(target, { headers: { authorization: `Bearer ${botToken}` }, redirect: 'error', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`file download answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  // a file larger than said is cut one byte past the limit: the flow refuses it as too large
  return body.length > MAX_DOWNLOAD_BYTES ? body.subarray(0, MAX_DOWNLOAD_BYTES + 1) : body;
}
