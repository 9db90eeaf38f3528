import type { Actor } from '../../domain/people-service';
import { textCard } from '../common';
import { cardReply } from '../reply';
import { feature } from '../routes';
import { afterWords, fold } from '../words';
import { parseIdeaNumber, type IdeasFlow } from './flow';

/** Words between the two numbers of `fusionner 4 dans 2`. */
const MERGE_LINKS = new Set(['dans', 'into', 'avec', 'with', 'vers']);

/** Ideas: proposing, browsing, supporting, answering, moderating, exporting. */
export function ideasFeature(flow: IdeasFlow) {
  const usage = (actor: Actor, which: 'answer' | 'hide' | 'merge' | 'view') => cardReply(textCard(flow.t(actor)(`ideas.usage.${which}`)));
  return feature({
    name: 'ideas',
    commands: [
      { id: 'idea', words: { fr: ['idee', 'proposer'], en: ['idea', 'propose'] }, help: 'everyone', run: ({ actor, rest }) => flow.quick(actor, rest) },
      {
        id: 'ideas',
        words: { fr: ['idees'], en: ['ideas'] },
        help: 'everyone',
        run: ({ actor, args }) => {
          const { filter, page } = flow.parseFilter(args);
          return flow.list(actor, filter, page);
        },
      },
      {
        id: 'view',
        words: { fr: ['voir'], en: ['show', 'view'] },
        help: 'everyone',
        run: ({ actor, args }) => (args.length === 1 ? flow.view(actor, parseIdeaNumber(args[0])) : usage(actor, 'view')),
      },
      {
        id: 'support',
        words: { fr: ['soutenir'], en: ['support'] },
        help: 'everyone',
        run: ({ actor, args }) => (args.length === 1 ? flow.support(actor, parseIdeaNumber(args[0])) : usage(actor, 'view')),
      },
      {
        id: 'figures',
        words: { fr: ['chiffres', 'palmares', 'stats'], en: ['figures'] },
        help: 'everyone',
        run: ({ actor }) => flow.figures(actor),
      },
      {
        id: 'status',
        words: { fr: ['statut', 'repondre'], en: ['status', 'answer'] },
        help: 'pilots',
        run: ({ actor, args, rest }) => (args.length < 2 ? usage(actor, 'answer') : flow.answer(actor, parseIdeaNumber(args[0]), args[1], afterWords(rest, 2) || undefined)),
      },
      {
        id: 'hide',
        words: { fr: ['masquer'], en: ['hide'] },
        help: 'pilots',
        run: ({ actor, args, rest }) => (args.length < 2 ? usage(actor, 'hide') : flow.hide(actor, parseIdeaNumber(args[0]), afterWords(rest, 1))),
      },
      {
        id: 'merge',
        words: { fr: ['fusionner'], en: ['merge'] },
        help: 'pilots',
        run: ({ actor, args }) => {
          const ids = args.filter((a) => !MERGE_LINKS.has(fold(a)));
          return ids.length === 2 ? flow.merge(actor, parseIdeaNumber(ids[0]), parseIdeaNumber(ids[1])) : usage(actor, 'merge');
        },
      },
      { id: 'export', words: { fr: ['export', 'exporter'], en: ['export'] }, help: 'organisers', run: ({ actor }) => flow.export(actor) },
    ],
    actions: {
      'idea.new': { run: ({ actor }) => ({ kind: 'form', form: flow.form(actor) }) },
      'idea.inspire': { replaces: true, run: ({ actor, values }) => flow.inspireForm(actor, values) },
      'idea.submit': { replaces: true, run: ({ actor, values }) => flow.submit(actor, values), form: ({ actor, values }) => flow.formAgain(actor, values) },
      'idea.quickAxis': { replaces: true, run: ({ actor, data }) => flow.quickAxis(actor, data) },
      'idea.list': { run: ({ actor, data }) => flow.listFromData(actor, data, data.p !== undefined && data.replace !== 'false') },
      'idea.view': { run: ({ actor, data }) => flow.view(actor, parseIdeaNumber(data.id)) },
      'idea.support': { run: ({ actor, data }) => flow.supportClick(actor, data, true) },
      'idea.withdraw': { run: ({ actor, data }) => flow.supportClick(actor, data, false) },
      'idea.answer': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.answerForm(actor, parseIdeaNumber(data.id)) }) },
      'idea.answerSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.answer(actor, parseIdeaNumber(data.id), values.status ?? '', values.answer),
        form: ({ actor, data, values }) => flow.answerForm(actor, parseIdeaNumber(data.id), values),
      },
      'idea.hide': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.hideForm(actor, parseIdeaNumber(data.id)) }) },
      'idea.hideSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.hide(actor, parseIdeaNumber(data.id), values.reason ?? ''),
        form: ({ actor, data, values }) => flow.hideForm(actor, parseIdeaNumber(data.id), values),
      },
      'idea.merge': { run: async ({ actor, data }) => ({ kind: 'form', form: await flow.mergeForm(actor, parseIdeaNumber(data.id)) }) },
      'idea.mergeSubmit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.merge(actor, parseIdeaNumber(data.id), parseIdeaNumber(values.into, 'into')),
        form: ({ actor, data, values }) => flow.mergeForm(actor, parseIdeaNumber(data.id), values),
      },
      'idea.export': { run: ({ actor }) => flow.export(actor) },
      'idea.figures': { run: ({ actor }) => flow.figures(actor) },
    },
  });
}
