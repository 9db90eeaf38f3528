import { feature } from '../routes';
import type { PrivacyFlow } from './flow';

/** Privacy and data rights: the notice, « mes données », erasure, and the answer to an inactivity warning. */
export function privacyFeature(flow: PrivacyFlow) {
  return feature({
    name: 'privacy',
    commands: [
      { id: 'privacy', words: { fr: ['confidentialite', 'rgpd', 'vie-privee'], en: ['privacy', 'gdpr'] }, help: 'everyone', run: ({ actor }) => flow.notice(actor) },
      { id: 'myData', words: { fr: ['mes-donnees', 'mesdonnees'], en: ['my-data', 'mydata'] }, help: 'everyone', run: ({ actor }) => flow.export(actor) },
      {
        id: 'eraseMyData',
        words: { fr: ['effacer-mes-donnees', 'effacer-donnees', 'effacer'], en: ['erase-my-data', 'erase-data', 'erase'] },
        help: 'everyone',
        run: ({ actor, args }) => flow.eraseConfirm(actor, args),
      },
    ],
    actions: {
      'privacy.notice': { run: ({ actor }) => flow.notice(actor) },
      'privacy.export': { run: ({ actor }) => flow.export(actor) },
      'privacy.eraseConfirm': { run: ({ actor }) => flow.eraseConfirm(actor) },
      'privacy.erase': { replaces: true, run: ({ actor, data }) => flow.erase(actor, data.person) },
      'privacy.eraseCancel': { replaces: true, run: ({ actor }) => flow.cancelErase(actor) },
      'privacy.stillHere': { replaces: true, run: ({ actor }) => flow.stillHere(actor) },
    },
  });
}
