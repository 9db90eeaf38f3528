import type { BroadcastFlow } from '../../src/app/broadcasts/flow';
import { broadcastsFeature } from '../../src/app/broadcasts/routes';
import type { EventsFlow } from '../../src/app/events/flow';
import { eventsFeature } from '../../src/app/events/routes';
import { helpFeature } from '../../src/app/help/routes';
import type { IdeasFlow } from '../../src/app/ideas/flow';
import { ideasFeature } from '../../src/app/ideas/routes';
import { Router } from '../../src/app/router';
import type { Services } from '../../src/app/services';

/**
 * The bot's route tables as the conversation merges them. Only the tables are read here (words,
 * sub-commands, verbs): their handlers, which need the real flows, are never run by these tests.
 */
export function routeTables(): Router {
  const unused = <T>() => ({}) as T;
  return new Router([
    helpFeature({ s: unused<Services>(), menu: () => ({ kind: 'card', card: { fallbackText: '', elements: [] } }) }),
    ideasFeature(unused<IdeasFlow>()),
    broadcastsFeature(unused<BroadcastFlow>()),
    eventsFeature(unused<EventsFlow>()),
  ]);
}

/** What a text resolves to, in a shape tests can compare: the command, its sub-command's word, its words. */
export function resolve(text: string, router = routeTables()) {
  const p = router.parse(text);
  if (p.kind !== 'command') return p;
  return { command: p.route.id, ...(p.sub ? { sub: p.sub.words.fr[0] } : {}), args: p.args, rest: p.rest };
}
