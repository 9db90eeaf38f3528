import { feature } from '../routes';
import type { EngagementFlow } from './flow';

const num = (data: Record<string, string>) => Number(data.id);

/** Ambassadors and équipiers: sign-up, the two signatures, the term, withdrawal, the directory. */
export function engagementFeature(flow: EngagementFlow) {
  return feature({
    name: 'engagement',
    commands: [
      {
        id: 'ambassador',
        words: { fr: ['ambassadeur', 'ambassadrice', 'equipier', 'equipiere'], en: ['ambassador'] },
        help: 'everyone',
        sub: [
          { words: { fr: ['quitter', 'retrait'], en: ['leave', 'withdraw'] }, run: ({ actor }) => flow.withdrawForm(actor) },
          { words: { fr: ['inscription', 'engager'], en: ['signup', 'join'] }, run: ({ actor }) => flow.form(actor) },
        ],
        run: ({ actor }) => flow.mine(actor),
      },
      { id: 'ambassadors', words: { fr: ['ambassadeurs', 'ambassadrices', 'equipiers'], en: ['ambassadors'] }, help: 'everyone', run: ({ actor }) => flow.directory(actor) },
    ],
    actions: {
      'engagement.form': { run: ({ actor }) => flow.form(actor) },
      'engagement.preview': {
        replaces: true,
        run: ({ actor, values }) => flow.preview(actor, values),
        form: ({ actor, values }) => flow.signUpForm(actor, values),
      },
      'engagement.edit': { replaces: true, run: ({ actor, data }) => flow.edit(actor, data.draft) },
      'engagement.send': { replaces: true, run: ({ actor, data }) => flow.send(actor, data.draft) },
      'engagement.interest': { replaces: true, run: ({ actor }) => flow.interest(actor) },
      'engagement.managerAccept': { replaces: true, run: ({ actor, data }) => flow.managerAccept(actor, num(data)) },
      'engagement.managerRefuseForm': { run: ({ actor, data }) => flow.managerRefuseForm(actor, num(data)) },
      'engagement.managerRefuse': {
        replaces: true,
        run: ({ actor, data, values }) => flow.managerRefuse(actor, num(data), values.reason),
        form: ({ actor, data }) => flow.reasonFormFor(actor, 'engagement.managerRefuse', num(data)),
      },
      'engagement.labAccept': { replaces: true, run: ({ actor, data }) => flow.labAccept(actor, num(data)) },
      'engagement.labRefuseForm': { run: ({ actor, data }) => flow.labRefuseForm(actor, num(data)) },
      'engagement.labRefuse': {
        replaces: true,
        run: ({ actor, data, values }) => flow.labRefuse(actor, num(data), values.reason),
        form: ({ actor, data }) => flow.reasonFormFor(actor, 'engagement.labRefuse', num(data)),
      },
      'engagement.withdrawForm': { run: ({ actor, data }) => flow.withdrawForm(actor, num(data)) },
      'engagement.withdraw': {
        replaces: true,
        run: ({ actor, data, values }) => flow.withdraw(actor, num(data), values.reason),
        form: ({ actor, data }) => flow.reasonFormFor(actor, 'engagement.withdraw', num(data)),
      },
      'engagement.renew': { replaces: true, run: ({ actor, data }) => flow.renew(actor, num(data)) },
      'engagement.finish': { replaces: true, run: ({ actor, data }) => flow.finish(actor, num(data)) },
      'engagement.evaluationForm': { run: ({ actor, data }) => flow.evaluationForm(actor, num(data)) },
      'engagement.evaluate': {
        replaces: true,
        run: ({ actor, data, values }) => flow.evaluate(actor, num(data), values),
        form: ({ actor, data }) => flow.evaluationFormOf(actor, num(data)),
      },
      'engagement.csv': { run: ({ actor }) => flow.csv(actor) },
    },
  });
}
