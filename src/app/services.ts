import type { Locale } from '../domain/locale';
import type { BroadcastService } from '../domain/broadcast-service';
import type { ConsultationsService } from '../domain/consultations-service';
import type { EventsService } from '../domain/events-service';
import type { IdeasService } from '../domain/ideas-service';
import type { PeopleService } from '../domain/people-service';
import type { Clock, Store } from '../domain/ports';
import type { Programme } from '../domain/programme';
import type { I18n } from '../i18n';
import type { Logger } from '../logger';
import type { AuditTrail } from './audit/trail';
import type { Departures } from './departures';
import type { Notices } from './notices';

/** What the conversation layer and the platforms need, built once by the composition root. */
export interface Services {
  programme: Programme;
  store: Store;
  people: PeopleService;
  ideas: IdeasService;
  broadcasts: BroadcastService;
  events: EventsService;
  consultations: ConsultationsService;
  i18n: I18n;
  clock: Clock;
  log: Logger;
  timezone: string;
  /** This installation's id (calendar entries' UIDs). */
  installationId: string;
  defaultLocale: Locale;
  /**
   * Every message the bot sends to a person on its own: `notices.queue(notices, { source, kind })` applies
   * each person's preferences (kind, quiet hours, pause) and adds the « Gérer mes notifications » action.
   */
  notices: Notices;
  /** The audit trail of privileged actions: `audit.record(actorId, action, subject, detail)` right after each. */
  audit: AuditTrail;
  /** People who left the platform: marked unreachable, their pending messages cancelled. */
  departures: Departures;
  /** Where people reach the bot's HTTP server (PUBLIC_URL), for the counted links of broadcasts on Teams. */
  publicUrl?: string;
  /** A number in [0, 1): injected so tests can pin "random" choices. */
  random: () => number;
}
