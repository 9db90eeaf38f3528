import type { Locale } from './locale';

export type Platform = 'slack' | 'teams';

/**
 * Where to reach a person on Teams later (proactive messages): captured on install and refreshed on
 * every message. Slack needs none: a user id is enough to post to the app's DM.
 */
export interface TeamsConversationRef {
  serviceUrl: string;
  conversationId: string;
  /** The Teams user id ("29:…") used in mentions and `recipient`. */
  userId: string;
  botId?: string;
  tenantId: string;
  channelId?: string;
}

/** A platform identity: Slack team + user id, or Teams tenant + AAD object id. */
export interface Identity {
  platform: Platform;
  /** Slack team id, or Teams tenant id. */
  tenant: string;
  /** Slack user id, or Teams AAD object id. */
  user: string;
}

export interface Person extends Identity {
  /** `slack:T123/U456` or `teams:<tenant>/<aad object id>`: unique and stable. */
  id: string;
  displayName: string;
  email?: string;
  /** The effective language: the one chosen in the person's preferences, else the platform's. */
  locale?: Locale;
  /** The platform's locale, as last seen. */
  platformLocale?: Locale;
  teams?: TeamsConversationRef;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The person left the platform (app uninstalled, account deactivated…): nothing is queued for them until they write again. */
  unreachable?: Unreachable;
}

/** Why and since when a person cannot be reached. */
export interface Unreachable {
  /** e.g. `slack app_uninstalled`, `slack tokens_revoked`, `slack user deactivated`, `teams app removed`, `slack user_not_found`. */
  reason: string;
  at: Date;
}

/** What a platform knows about a person at contact time; undefined fields are left as stored. */
export interface Contact extends Identity {
  displayName?: string;
  email?: string;
  locale?: Locale;
  teams?: TeamsConversationRef;
}

/**
 * A GUID written any usual way (braces or not, dashes or not, any case), and ids shaped like one with a
 * longer last group (the Agents Playground's `00000000-0000-0000-0000-0000000000020`).
 */
const GUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12,16})\}?$/i;

/** A GUID in its one canonical form (lower case, dashed); anything else as it is. */
export function canonicalGuid(text: string): string {
  const m = GUID.exec(text.trim());
  return m ? m.slice(1).join('-').toLowerCase() : text;
}

export function isGuid(text: string): boolean {
  return GUID.test(text.trim());
}

export function personId(identity: Identity): string {
  // Teams tenant and object ids are GUIDs: one spelling, whatever case or form a message used
  if (identity.platform === 'teams') return `teams:${canonicalGuid(identity.tenant)}/${canonicalGuid(identity.user)}`;
  return `${identity.platform}:${identity.tenant}/${identity.user}`;
}

/** What the person ids of one Slack workspace or Teams tenant begin with (`slack:T1/`). */
export function tenantPrefix(platform: Platform, tenant: string): string {
  return personId({ platform, tenant, user: '' });
}
