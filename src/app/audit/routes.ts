import { feature } from '../routes';
import type { AuditFlow } from './flow';

/** The audit trail: `journal` (organisers), « Plus anciens », « Exporter (CSV) ». */
export function auditFeature(flow: AuditFlow) {
  return feature({
    name: 'audit',
    commands: [
      {
        id: 'audit',
        words: { fr: ['journal', 'audit'], en: ['audit', 'log'] },
        help: 'organisers',
        sub: [{ words: { fr: ['export', 'exporter'], en: ['export'] }, run: ({ actor }) => flow.export(actor) }],
        run: ({ actor }) => flow.journal(actor),
      },
    ],
    actions: {
      'audit.older': { run: ({ actor, data }) => flow.journal(actor, data.before) },
      'audit.export': { run: ({ actor }) => flow.export(actor) },
    },
  });
}
