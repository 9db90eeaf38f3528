import { z } from 'zod';
import type { auditFeature } from './audit/routes';
import type { axesFeature } from './axes/routes';
import type { broadcastsFeature } from './broadcasts/routes';
import type { communitiesFeature } from './communities/routes';
import type { consultationsFeature } from './consultations/routes';
import type { engagementFeature } from './engagement/routes';
import type { eventsFeature } from './events/routes';
import type { helpFeature } from './help/routes';
import type { ideasFeature } from './ideas/routes';
import type { preferencesFeature } from './preferences/routes';
import type { privacyFeature } from './privacy/routes';
import type { promptsFeature } from './prompts/routes';
import type { VerbsOf } from './routes';

/** A verb sent back by a button or form: letters, digits, dots, dashes, underscores. */
export const VERB = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/i);

/** Every verb the features' route tables handle. */
export type AppVerb =
  | VerbsOf<typeof helpFeature>
  | VerbsOf<typeof ideasFeature>
  | VerbsOf<typeof broadcastsFeature>
  | VerbsOf<typeof eventsFeature>
  | VerbsOf<typeof preferencesFeature>
  | VerbsOf<typeof axesFeature>
  | VerbsOf<typeof promptsFeature>
  | VerbsOf<typeof consultationsFeature>
  | VerbsOf<typeof engagementFeature>
  | VerbsOf<typeof privacyFeature>
  | VerbsOf<typeof communitiesFeature>
  | VerbsOf<typeof auditFeature>;

declare module '../cards/model' {
  /** Cards carry only the verbs a route handles. */
  interface VerbRegistry extends Record<AppVerb, true> {}
}
