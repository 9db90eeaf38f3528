import { feature } from '../routes';
import { fold } from '../words';
import type { AxesFlow } from './flow';

const HISTORY_WORDS = new Set(['historique', 'history']);

/** Axes: the axis card, following, pilots' updates (points d'étape), 👏 and questions. */
export function axesFeature(flow: AxesFlow) {
  return feature({
    name: 'axes',
    commands: [
      {
        id: 'axis',
        words: { fr: ['axe'], en: ['axis'] },
        help: 'everyone',
        // `axe 3 historique`: the axis comes first, so the history is no sub-command
        run: ({ actor, args }) =>
          args.length >= 2 && HISTORY_WORDS.has(fold(args[args.length - 1])) ? flow.history(actor, args.slice(0, -1).join(' ')) : flow.show(actor, args.join(' ') || undefined),
      },
      { id: 'axes', words: { fr: ['axes'], en: ['axes'] }, run: ({ actor }) => flow.menu(actor) },
      { id: 'update', words: { fr: ['point'], en: ['update'] }, help: 'pilots', run: ({ actor, args }) => flow.openUpdate(actor, args.join(' ') || undefined) },
    ],
    actions: {
      'axis.show': { run: ({ actor, data }) => flow.show(actor, data.axis) },
      'axis.follow': { run: ({ actor, data }) => flow.setFollow(actor, data, true) },
      'axis.unfollow': { run: ({ actor, data }) => flow.setFollow(actor, data, false) },
      'axis.history': { run: ({ actor, data }) => flow.history(actor, data.axis ?? '') },
      'axis.updateOpen': { run: ({ actor, data }) => flow.openUpdate(actor, data.axis) },
      'axis.updatePreview': {
        replaces: true,
        run: ({ actor, data, values }) => flow.preview(actor, data, values),
        form: ({ actor, data, values }) => flow.formAgain(actor, data, values),
      },
      'axis.publish': { run: ({ actor, data }) => flow.publish(actor, data) },
      'axis.applaud': { run: ({ actor, data }) => flow.applaud(actor, data) },
      'axis.ask': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.askForm(actor, data) }) },
      'axis.askSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.askSubmit(actor, data, values),
        form: ({ actor, data, values }) => flow.askForm(actor, data, values),
      },
      'axis.answer': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.answerForm(actor, data) }) },
      'axis.answerSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.answerSubmit(actor, data, values),
        form: ({ actor, data, values }) => flow.answerForm(actor, data, values),
      },
      'axis.correct': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.correctForm(actor, data) }) },
      'axis.correctSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.correctSubmit(actor, data, values),
        form: ({ actor, data, values }) => flow.correctForm(actor, data, values),
      },
    },
  });
}
