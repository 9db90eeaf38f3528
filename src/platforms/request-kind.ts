import type { Response } from 'express';

/**
 * What a platform request is (`command`, `action`, `view_submission`, `message`, `event`…), said by the
 * route that read it and read back when it is answered (the request metrics on /metrics). Kinds are a
 * small fixed set, never text from the request.
 */
export function setRequestKind(res: Response, kind: string): void {
  res.locals.requestKind = kind;
}

/** The kind a route gave the request, `unknown` if none. */
export function requestKindOf(res: Response): string {
  const kind = res.locals?.requestKind;
  return typeof kind === 'string' ? kind : 'unknown';
}

/** A Teams activity's kind: its type, with card actions, file consents and conversation updates told apart. */
export function teamsRequestKind(activity: unknown): string {
  const a = (activity ?? {}) as { type?: unknown; name?: unknown; value?: unknown };
  switch (a.type) {
    case 'message':
      // older clients send Action.Submit as a message carrying a value
      return a.value && typeof a.value === 'object' ? 'action' : 'message';
    case 'invoke':
      if (a.name === 'adaptiveCard/action') return 'action';
      if (a.name === 'fileConsent/invoke') return 'file_consent';
      return 'invoke';
    case 'conversationUpdate':
      return 'conversation_update';
    case 'installationUpdate':
      return 'installation_update';
    case 'messageReaction':
      return 'reaction';
    case undefined:
      return 'invalid';
    default:
      return 'other';
  }
}
