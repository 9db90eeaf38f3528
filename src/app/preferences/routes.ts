import { feature } from '../routes';
import type { PreferencesFlow } from './flow';

/** `/ensemble preferences`, the form's submission, and the « Gérer mes notifications » action of every notice. */
export function preferencesFeature(flow: PreferencesFlow) {
  return feature({
    name: 'preferences',
    commands: [
      {
        id: 'preferences',
        words: { fr: ['preferences', 'parametres', 'reglages', 'notifications'], en: ['preferences', 'settings'] },
        help: 'everyone',
        run: ({ actor }) => flow.open(actor),
      },
    ],
    actions: {
      'preferences.open': { run: ({ actor }) => flow.open(actor) },
      'preferences.submit': {
        replaces: true,
        changesHome: true,
        run: ({ actor, values, data }) => flow.submit(actor, values, data),
        form: ({ actor, values }) => flow.formAgain(actor, values),
      },
    },
  });
}
