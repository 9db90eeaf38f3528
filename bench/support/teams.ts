/** Teams activities as the Bot Connector posts them to /api/messages (personal chat), and Teams members as the store knows them. */
import type { Contact } from '../../src/domain/people';

export const TENANT = '11111111-1111-4111-8111-111111111111';

export interface TeamsUser {
  id: string; // 29:...
  aadObjectId: string;
  name: string;
}

/** A deterministic, distinct Teams user for agent number `n`. */
export function teamsUser(n: number): TeamsUser {
  const hex = n.toString(16).padStart(12, '0');
  return { id: `29:1bench${hex}`, aadObjectId: `00000000-0000-4000-8000-${hex}`, name: `Agent Teams ${n}` };
}

export function conversationIdOf(user: TeamsUser): string {
  return `a:${user.id}`;
}

let seq = 0;

function base(serviceUrl: string, user: TeamsUser) {
  return {
    id: `act-bench-${++seq}`,
    channelId: 'msteams',
    serviceUrl: `${serviceUrl}/`,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: '28:ensemble-bot', name: 'Ensemble' },
    conversation: { id: conversationIdOf(user), conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'fr-FR',
  };
}

export function messageActivity(serviceUrl: string, user: TeamsUser, text: string) {
  return { ...base(serviceUrl, user), type: 'message', text };
}

/** An Adaptive Card Action.Execute click (an `adaptiveCard/action` invoke). */
export function cardActionActivity(serviceUrl: string, user: TeamsUser, verb: string, data: Record<string, string>) {
  return {
    ...base(serviceUrl, user),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data: { ...data, verb } }, trigger: 'manual' },
  };
}

/** The personal chat of broadcast member `i` (real ids are long base64 strings after "a:"). */
export function memberConversation(i: number): string {
  return `a:1${Buffer.from(`bench-conversation-${i}`).toString('base64url')}`;
}

/** Broadcast member `i`, as the store knows a Teams person reached through `serviceUrl` (the fake connector). */
export function teamsMember(i: number, serviceUrl: string): Contact {
  const aad = `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
  return {
    platform: 'teams',
    tenant: TENANT,
    user: aad,
    displayName: `Agent ${i}`,
    email: `agent.${i}@exemple.fr`,
    locale: 'fr',
    teams: {
      serviceUrl: `${serviceUrl}/`,
      conversationId: memberConversation(i),
      userId: `29:1${Buffer.from(`user-${aad}`).toString('base64url')}`,
      botId: '28:00000000-0000-4000-8000-00000000b07',
      tenantId: TENANT,
    },
  };
}
