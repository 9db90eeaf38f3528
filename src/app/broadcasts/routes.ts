import { feature } from '../routes';
import { parseBroadcastNumber, type BroadcastFlow } from './flow';

/** Organisers' broadcasts: compose, preview, confirm, list, report, cancel, retry. */
export function broadcastsFeature(flow: BroadcastFlow) {
  return feature({
    name: 'broadcasts',
    commands: [
      {
        id: 'broadcast',
        words: { fr: ['diffusion'], en: ['broadcast'] },
        help: 'organisers',
        sub: [
          { words: { fr: ['liste'], en: ['list'] }, run: ({ actor }) => flow.list(actor) },
          { words: { fr: ['rapport'], en: ['report'] }, run: ({ actor, args }) => flow.report(actor, parseBroadcastNumber(args[0])) },
          { words: { fr: ['annuler'], en: ['cancel'] }, run: ({ actor, args }) => flow.cancel(actor, parseBroadcastNumber(args[0])) },
          { words: { fr: ['relancer'], en: ['retry'] }, run: ({ actor, args }) => flow.retry(actor, parseBroadcastNumber(args[0])) },
          { words: { fr: ['maintenant'], en: ['now'] }, run: ({ actor, rest }) => flow.quick(actor, rest) },
          { words: { fr: ['lectures'], en: ['reads'] }, run: ({ actor, args }) => flow.acknowledgements(actor, parseBroadcastNumber(args[0])) },
        ],
        // `diffusion` alone, or with a word it does not know: the form
        run: ({ actor }) => flow.open(actor),
      },
      { id: 'broadcasts', words: { fr: ['diffusions'], en: ['broadcasts'] }, run: ({ actor }) => flow.list(actor) },
    ],
    actions: {
      'broadcast.new': { run: ({ actor }) => flow.open(actor) },
      'broadcast.submit': { replaces: true, run: ({ actor, values }) => flow.submit(actor, values), form: ({ actor, values }) => flow.form(actor, values) },
      'broadcast.confirm': { run: ({ actor, data }) => flow.confirm(actor, parseBroadcastNumber(data.id)) },
      'broadcast.cancel': { run: ({ actor, data }) => flow.cancel(actor, parseBroadcastNumber(data.id)) },
      'broadcast.report': { run: ({ actor, data }) => flow.report(actor, parseBroadcastNumber(data.id)) },
      'broadcast.retry': { run: ({ actor, data }) => flow.retry(actor, parseBroadcastNumber(data.id)) },
      'broadcast.list': { run: ({ actor }) => flow.list(actor) },
      // a recipient's « J'ai lu » (idempotent: the card says it is noted), and a followed link (Slack)
      'broadcast.ack': { run: ({ actor, data }) => flow.acknowledge(actor, parseBroadcastNumber(data.id)) },
      'broadcast.click': { run: ({ actor, data }) => flow.click(actor, parseBroadcastNumber(data.id), data.link) },
      'broadcast.acks': { run: ({ actor, data }) => flow.acknowledgements(actor, parseBroadcastNumber(data.id)) },
    },
  });
}
