/** Teams activities as the Bot Connector posts them to /api/messages (personal chat). */

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
