import type { Community, CommunityChannel, CommunityKind, ProgressStage } from '../domain/communities';

/** What both stores keep as one document beside the indexed fields (id, kind, stage, creator, date). */
export interface CommunityBody {
  name: string;
  description: string;
  channel?: CommunityChannel;
  problem?: string;
}

export function communityBody(c: Pick<Community, 'name' | 'description' | 'channel' | 'problem'>): CommunityBody {
  return {
    name: c.name,
    description: c.description,
    ...(c.channel && (c.channel.slack || c.channel.teams)
      ? { channel: { ...(c.channel.slack ? { slack: c.channel.slack } : {}), ...(c.channel.teams ? { teams: c.channel.teams } : {}) } }
      : {}),
    ...(c.problem ? { problem: c.problem } : {}),
  };
}

export function fromCommunityBody(
  head: { id: string; kind: CommunityKind; stage: ProgressStage | null | undefined; createdBy: string; createdAt: Date },
  body: CommunityBody,
): Community {
  const c: Community = { id: head.id, name: body.name, kind: head.kind, description: body.description, createdBy: head.createdBy, createdAt: head.createdAt };
  if (body.channel) c.channel = body.channel;
  if (body.problem) c.problem = body.problem;
  if (head.stage) c.stage = head.stage;
  return c;
}
