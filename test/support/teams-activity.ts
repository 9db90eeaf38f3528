export const TENANT = '11111111-1111-4111-8111-111111111111';

export interface TeamsUser {
  id: string; // 29:...
  aadObjectId: string;
  name: string;
}

export const ANA: TeamsUser = { id: '29:ana', aadObjectId: '22222222-2222-4222-8222-222222222222', name: 'Ana Teams' };
export const BEN: TeamsUser = { id: '29:ben', aadObjectId: '33333333-3333-4333-8333-333333333333', name: 'Ben Teams' };

let seq = 0;

function base(serviceUrl: string, user: TeamsUser, conversationId: string, locale: string) {
  return {
    id: `act-in-${++seq}`,
    channelId: 'msteams',
    serviceUrl: `${serviceUrl}/`,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: '28:ensemble-bot', name: 'Ensemble' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale,
  };
}

export function messageActivity(serviceUrl: string, user: TeamsUser, text: string, opts: { conversationId?: string; locale?: string; entities?: unknown[] } = {}) {
  return { ...base(serviceUrl, user, opts.conversationId ?? `a:${user.id}`, opts.locale ?? 'fr-FR'), type: 'message', text, entities: opts.entities };
}

export function cardActionActivity(serviceUrl: string, user: TeamsUser, verb: string, data: Record<string, string> = {}, opts: { conversationId?: string; locale?: string } = {}) {
  return {
    ...base(serviceUrl, user, opts.conversationId ?? `a:${user.id}`, opts.locale ?? 'fr-FR'),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data: { ...data, verb } }, trigger: 'manual' },
  };
}

export function installActivity(serviceUrl: string, user: TeamsUser, opts: { conversationId?: string; locale?: string } = {}) {
  return { ...base(serviceUrl, user, opts.conversationId ?? `a:${user.id}`, opts.locale ?? 'fr-FR'), type: 'installationUpdate', action: 'add' };
}

export function conversationUpdateActivity(serviceUrl: string, user: TeamsUser, opts: { conversationId?: string } = {}) {
  return {
    ...base(serviceUrl, user, opts.conversationId ?? `a:${user.id}`, 'fr-FR'),
    type: 'conversationUpdate',
    membersAdded: [{ id: '28:ensemble-bot' }],
  };
}
