import type * as PdfLib from 'pdf-lib';
import type { Engagement } from '../../domain/engagement';
import { pick, type Locale } from '../../domain/locale';
import type { Person } from '../../domain/people';
import type { Programme } from '../../domain/programme';
import type { Translate } from '../../i18n';

/** The PDF library is loaded on first use (an activation), not at start. */
let pdfLib: typeof PdfLib | undefined;

export interface ContractParties {
  agent: Person;
  manager: Person | null;
  lab: Person | null;
}

/**
 * The standard fonts of PDF (Helvetica) are encoded in WinAnsi, which has every French letter (é, è, à, ç,
 * œ, « ») but not the typographic spaces Intl puts in dates and numbers: those become plain spaces, and
 * anything else outside WinAnsi a question mark (people's names in other scripts stay readable in the card).
 */
export function winAnsi(text: string): string {
  return text
    .replace(/[\u00a0\u202f\u2009\u2007]/g, ' ')
    .replace(
      /[^\u0020-\u007e\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\n]/g,
      '?',
    );
}

/** The engagement contract (seed 003's clauses), filled in from the request, with the approvals in place of signatures. */
export async function contractPdf(t: Translate, programme: Programme, locale: Locale, e: Engagement, parties: ContractParties, timeZone: string): Promise<Buffer> {
  pdfLib ??= await import('pdf-lib');
  const { PDFDocument, StandardFonts, rgb } = pdfLib;
  const doc = await PDFDocument.create();
  doc.setTitle(winAnsi(t('engagement.pdf.title', { name: parties.agent.displayName })));
  doc.setCreator('Ensemble');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const day = (d: Date | null) => (d ? new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, dateStyle: 'long' }).format(d) : '—');
  const at = (d: Date | null) => (d ? new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { timeZone, dateStyle: 'long', timeStyle: 'short' }).format(d) : '—');
  const role = programme.ambassadorRoles.find((r) => r.id === e.role);
  const domains = e.domains.map((id) => programme.missionDomains.find((d) => d.id === id)).filter((d) => !!d);
  const { minTimePercent: min, maxTimePercent: max, termMonths } = programme.engagement;

  const margin = 56;
  let page = doc.addPage([595.28, 841.89]);
  let y = page.getHeight() - margin;
  const width = page.getWidth() - 2 * margin;
  const write = (text: string, size = 10.5, font = regular, gap = 4) => {
    for (const paragraph of winAnsi(text).split('\n')) {
      const words = paragraph.split(/\s+/);
      let line = '';
      const flush = () => {
        if (y < margin + size) {
          page = doc.addPage([595.28, 841.89]);
          y = page.getHeight() - margin;
        }
        page.drawText(line, { x: margin, y, size, font, color: rgb(0.1, 0.1, 0.15) });
        y -= size * 1.35;
        line = '';
      };
      for (const word of words) {
        const next = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(next, size) > width && line) {
          flush();
          line = word;
        } else line = next;
      }
      if (line) flush();
    }
    y -= gap;
  };

  write(t('engagement.pdf.title', { name: parties.agent.displayName }), 16, bold, 10);
  write(pick(programme.name, locale), 11, bold, 12);
  write(t('engagement.pdf.missionHeading'), 12, bold);
  write(t('engagement.pdf.mission', { name: parties.agent.displayName, role: role ? pick(role.name, locale) : e.role }));
  for (const d of domains) write(`• ${pick(d.name, locale)} : ${pick(d.description, locale)}`);
  if (e.project) write(t('engagement.pdf.project', { project: e.project }));
  write(t('engagement.pdf.timeHeading'), 12, bold);
  write(t('engagement.pdf.time', { name: parties.agent.displayName, min, max, percent: e.timePercent }));
  write(t('engagement.pdf.serviceHeading'), 12, bold);
  write(t('engagement.pdf.service', { name: parties.agent.displayName }));
  write(t('engagement.pdf.termHeading'), 12, bold);
  write(t('engagement.pdf.term', { months: termMonths, from: day(e.activeFrom), to: day(e.termEnd) }));
  write(t('engagement.pdf.approvalsHeading'), 12, bold);
  write(t('engagement.pdf.agentSigned', { name: parties.agent.displayName, at: at(e.createdAt) }));
  write(t('engagement.pdf.managerSigned', { name: parties.manager?.displayName ?? t('engagement.anonymous'), at: at(e.managerApprovedAt) }));
  write(t('engagement.pdf.labSigned', { name: parties.lab?.displayName ?? t('engagement.anonymous'), at: at(e.labApprovedAt) }));
  write(t('engagement.pdf.footer', { id: e.id }), 8.5, regular);
  return Buffer.from(await doc.save());
}

export function contractName(e: Engagement): string {
  return `contrat-engagement-${e.id}.pdf`;
}
