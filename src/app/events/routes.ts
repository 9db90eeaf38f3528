import type { Actor } from '../../domain/people-service';
import { textCard } from '../common';
import { cardReply, type Reply } from '../reply';
import { feature, type CommandInput } from '../routes';
import { numberToken } from '../words';
import { parseEventNumber, type EventsFlow } from './flow';

/** Workshop days and OFF events: agenda, registration, the organisers' tools, feedback. */
export function eventsFeature(flow: EventsFlow) {
  const usage = (actor: Actor) => cardReply(textCard(flow.t(actor)('events.usage')));
  /** `participer 4` / `desinscrire 4`, answered as a click on a shared card would be. */
  const byNumber =
    (run: (actor: Actor, data: Record<string, string>) => Promise<Reply>) =>
    ({ actor, args }: CommandInput) =>
      args[0] === undefined ? usage(actor) : run(actor, { id: String(parseEventNumber(args[0])), c: 'shared' });
  /** `evenement <sous-commande> <n°>` */
  const withId =
    (run: (actor: Actor, id: number) => Promise<Reply>) =>
    ({ actor, args }: CommandInput) =>
      run(actor, parseEventNumber(args[0]));
  return feature({
    name: 'events',
    commands: [
      {
        id: 'agenda',
        words: { fr: ['agenda', 'calendrier', 'evenements', 'journees'], en: ['agenda', 'events'] },
        help: 'everyone',
        run: ({ actor }) => flow.agenda(actor),
      },
      { id: 'register', words: { fr: ['participer', 'inscrire', 'inscription'], en: ['register', 'join'] }, help: 'everyone', run: byNumber((a, d) => flow.register(a, d)) },
      {
        id: 'unregister',
        words: { fr: ['desinscrire', 'desinscription'], en: ['unregister', 'leave'] },
        help: 'everyone',
        run: byNumber((a, d) => flow.unregister(a, d)),
      },
      {
        id: 'event',
        words: { fr: ['evenement'], en: ['event'] },
        help: 'organisers',
        sub: [
          { words: { fr: ['creer', 'nouveau'], en: ['new', 'create'] }, run: ({ actor }) => flow.open(actor) },
          { words: { fr: ['modifier', 'changer', 'deplacer'], en: ['edit', 'move'] }, run: withId((a, id) => flow.edit(a, id)) },
          { words: { fr: ['annuler'], en: ['cancel'] }, run: ({ actor, args, rest }) => flow.cancel(actor, parseEventNumber(args[0]), rest.replace(/^\S+\s*/, '')) },
          { words: { fr: ['inscrits', 'participants'], en: ['registrants'] }, run: withId((a, id) => flow.registrants(a, id)) },
          { words: { fr: ['export', 'exporter'], en: ['export'] }, run: withId((a, id) => flow.export(a, id)) },
          { words: { fr: ['avis', 'resultats'], en: ['feedback', 'results'] }, run: withId((a, id) => flow.results(a, id)) },
          { words: { fr: ['commentaires'], en: ['comments'] }, run: withId((a, id) => flow.comments(a, id)) },
          { words: { fr: ['ics', 'calendrier'], en: ['calendar'] }, run: withId((a, id) => flow.ics(a, id)) },
          { words: { fr: ['passes', 'historique'], en: ['past', 'history'] }, run: ({ actor }) => flow.history(actor) },
        ],
        // `evenement` alone: the form; `evenement 4`: that event
        run: ({ actor, args }) => {
          if (args.length === 0) return flow.open(actor);
          if (numberToken(args[0]) !== null) return flow.view(actor, parseEventNumber(args[0]));
          return usage(actor);
        },
      },
    ],
    actions: {
      'event.agenda': { run: ({ actor }) => flow.agenda(actor) },
      'event.view': { run: ({ actor, data }) => flow.view(actor, parseEventNumber(data.id)) },
      'event.new': { run: ({ actor }) => flow.open(actor) },
      'event.edit': { run: ({ actor, data }) => flow.edit(actor, parseEventNumber(data.id)) },
      'event.submit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.submit(actor, data, values),
        form: ({ actor, data, values }) => flow.formAgain(actor, data, values),
      },
      'event.register': { run: ({ actor, data }) => flow.register(actor, data) },
      'event.unregister': { run: ({ actor, data }) => flow.unregister(actor, data) },
      'event.ics': { run: ({ actor, data }) => flow.ics(actor, parseEventNumber(data.id)) },
      'event.registrants': { run: ({ actor, data }) => flow.registrants(actor, parseEventNumber(data.id)) },
      'event.export': { run: ({ actor, data }) => flow.export(actor, parseEventNumber(data.id)) },
      'event.results': { run: ({ actor, data }) => flow.results(actor, parseEventNumber(data.id)) },
      'event.comments': { run: ({ actor, data }) => flow.comments(actor, parseEventNumber(data.id)) },
      'event.history': { run: ({ actor }) => flow.history(actor) },
      'event.feedback': {
        replaces: true,
        run: ({ actor, data, values }) => flow.feedback(actor, data, values),
        form: ({ actor, data, values }) => flow.feedbackAgain(actor, data, values),
      },
    },
  });
}
