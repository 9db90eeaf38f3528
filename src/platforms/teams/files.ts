import { z } from 'zod';

/** The largest attachment read (questionnaires are small text files). */
export const MAX_DOWNLOAD_BYTES = 256_000;
const DOWNLOAD_TIMEOUT_MS = 2000;

export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** A file a person attached in the personal chat: Teams gives a short-lived, pre-authenticated download URL. Built on first use. */
let fileAttachment: ReturnType<typeof attachmentSchema> | undefined;

function attachmentSchema() {
  return z
    .object({
      contentType: z.literal(FILE_DOWNLOAD_INFO),
      name: z.string().min(1).max(255),
      content: z.object({ downloadUrl: z.url().max(4000), fileType: z.string().max(32).optional() }).loose(),
    })
    .loose();
}

export type TeamsFile = z.infer<ReturnType<typeof attachmentSchema>>;

/** The first file attached to a message, if any. */
export function attachedFile(attachments: unknown): TeamsFile | undefined {
  if (!Array.isArray(attachments) || attachments.length === 0) return undefined;
  fileAttachment ??= attachmentSchema();
  for (const a of attachments.slice(0, 10)) {
    const f = fileAttachment.safeParse(a);
    if (f.success) return f.data;
  }
  return undefined;
}

/**
 * Reads an attached file from its download URL (no token: the URL carries its own authorisation). Only
 * https, or a loopback address when the bot runs unauthenticated (the Agents Playground and tests).
 */
export async function downloadTeamsFile(file: TeamsFile, local: boolean): Promise<Buffer> {
  const target = new URL(file.content.downloadUrl);
  const loopback = target.hostname === '127.0.0.1' || target.hostname === 'localhost' || target.hostname === '[::1]';
  if (target.protocol !== 'https:' && !(local && loopback)) throw new Error(`file address not trusted: ${target.protocol}//${target.hostname}`);
  const res = await fetch(target, { redirect: 'follow', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`file download answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  return body.length > MAX_DOWNLOAD_BYTES ? body.subarray(0, MAX_DOWNLOAD_BYTES + 1) : body;
}
