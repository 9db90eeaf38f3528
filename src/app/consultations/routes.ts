import { feature } from '../routes';
import { type ConsultationFlow, parseConsultationNumber } from './flow';

/** Consultations: flash polls, questionnaires (YAML), answering page by page, results. */
export function consultationsFeature(flow: ConsultationFlow) {
  const id = (data: Record<string, string>) => parseConsultationNumber(data.id);
  return feature({
    name: 'consultations',
    commands: [
      { id: 'poll', words: { fr: ['sondage'], en: ['poll'] }, help: 'organisers', run: ({ actor }) => flow.openPoll(actor) },
      {
        id: 'consultation',
        words: { fr: ['consultation'], en: ['survey'] },
        help: 'organisers',
        sub: [
          { words: { fr: ['modele'], en: ['template'] }, run: ({ actor }) => flow.template(actor) },
          { words: { fr: ['resultats'], en: ['results'] }, run: ({ actor, args }) => flow.results(actor, parseConsultationNumber(args[0])) },
          { words: { fr: ['export'], en: ['export'] }, run: ({ actor, args }) => flow.export(actor, parseConsultationNumber(args[0])) },
          { words: { fr: ['clore'], en: ['close'] }, run: ({ actor, args }) => flow.close(actor, parseConsultationNumber(args[0])) },
        ],
        run: ({ actor }) => flow.list(actor),
      },
      { id: 'consultations', words: { fr: ['consultations'], en: ['surveys'] }, run: ({ actor }) => flow.list(actor) },
    ],
    actions: {
      'consultation.poll.new': { run: ({ actor }) => flow.openPoll(actor) },
      'consultation.poll.submit': { replaces: true, run: ({ actor, values }) => flow.submitPoll(actor, values), form: ({ actor, values }) => flow.pollForm(actor, values) },
      'consultation.confirm': { replaces: true, run: ({ actor, data }) => flow.confirm(actor, id(data)) },
      'consultation.cancel': { replaces: true, run: ({ actor, data }) => flow.cancel(actor, id(data)) },
      'consultation.template': { run: ({ actor }) => flow.template(actor) },
      'consultation.launch': { run: ({ actor, data }) => flow.openLaunch(actor, id(data)) },
      'consultation.launch.submit': {
        replaces: true,
        run: ({ actor, data, values }) => flow.launch(actor, id(data), values),
        form: ({ actor, data, values }) => flow.launchForm(actor, id(data), values),
      },
      'consultation.preview.page': { run: ({ actor, data }) => flow.previewPage(actor, id(data), Number(data.page) || 0) },
      'consultation.results': { run: ({ actor, data }) => flow.results(actor, id(data)) },
      'consultation.export': { run: ({ actor, data }) => flow.export(actor, id(data)) },
      'consultation.close': { run: ({ actor, data }) => flow.close(actor, id(data)) },
      // respondents: a poll's button, « Répondre », a page's « Suivant » / « Envoyer », « Précédent »
      'consultation.vote': { replaces: true, run: ({ actor, data }) => flow.vote(actor, id(data), data.v) },
      'consultation.answer': { replaces: true, run: ({ actor, data }) => flow.answer(actor, id(data)) },
      'consultation.page': {
        replaces: true,
        run: ({ actor, data, values }) => flow.page(actor, data, values),
        form: ({ actor, data, values }) => flow.pageAgain(actor, data, values),
      },
      'consultation.back': { replaces: true, run: ({ actor, data, values }) => flow.back(actor, data, values) },
    },
  });
}
