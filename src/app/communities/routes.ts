import { feature } from '../routes';
import type { CommunitiesFlow } from './flow';

/** Communities: the list, a community's card, join and leave, organisers' communities and stages, « Je peux former sur… ». */
export function communitiesFeature(flow: CommunitiesFlow) {
  return feature({
    name: 'communities',
    commands: [
      { id: 'communities', words: { fr: ['communautes'], en: ['communities'] }, help: 'everyone', run: ({ actor }) => flow.list(actor) },
      {
        id: 'community',
        words: { fr: ['communaute'], en: ['community'] },
        help: 'everyone',
        sub: [{ words: { fr: ['nouvelle', 'creer'], en: ['new', 'create'] }, run: ({ actor }) => flow.open(actor) }],
        run: ({ actor, args }) => flow.command(actor, args),
      },
      { id: 'train', words: { fr: ['former', 'formateur', 'formatrice'], en: ['train', 'trainer'] }, help: 'everyone', run: ({ actor, rest }) => flow.trainOpen(actor, rest) },
    ],
    actions: {
      'community.list': { run: ({ actor }) => flow.list(actor) },
      'community.show': { run: ({ actor, data }) => flow.show(actor, data.id) },
      'community.join': { replaces: true, changesHome: true, run: ({ actor, data }) => flow.join(actor, data.id, data.c) },
      'community.leave': { replaces: true, changesHome: true, run: ({ actor, data }) => flow.leave(actor, data.id, data.c) },
      'community.form': { run: ({ actor }) => flow.open(actor) },
      'community.create': {
        replaces: true,
        run: ({ actor, values }) => flow.create(actor, values),
        form: ({ actor, values }) => flow.createFormOf(actor, values),
      },
      'community.stage': { replaces: true, run: ({ actor, data }) => flow.stage(actor, data.id, data.from, data.to) },
      'community.publishForm': { run: ({ actor, data }) => flow.publishForm(actor, data.id) },
      'community.publish': {
        replaces: true,
        run: ({ actor, data, values }) => flow.publish(actor, data.id, values),
        form: ({ actor, data, values }) => flow.publishFormOf(actor, data.id, values),
      },
      'community.trainForm': { run: ({ actor }) => flow.trainOpen(actor) },
      'community.train': {
        replaces: true,
        run: ({ actor, values }) => flow.train(actor, values),
        form: ({ actor, values }) => flow.trainFormOf(actor, values),
      },
    },
  });
}
