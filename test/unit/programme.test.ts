import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_PROGRAMME_FILE, loadProgramme, parseProgramme, ProgrammeError } from '../../src/config/programme';
import { findAxis, type Programme } from '../../src/domain/programme';

/** A small valid programme; line numbers matter to the tests below (axes[0].id is on line 7). */
const VALID_YAML = `name: { fr: Test, en: Test }
tagline: { fr: Slogan }
organisation: Le Lab
axes:
  - number: 1
    name: { fr: Axe un }
    id: un
    hashtags: [premier, "#commun"]
  - id: deux
    number: 2
    name: { fr: Axe deux, en: Axis two }
    hashtags: [second]
phases:
  - id: explorer
    name: { fr: Explorer }
    subtitle: { fr: Lancement }
    description: { fr: Partager ce qui se fait }
constraints:
  - fr: Et si c'était simple ?
ambassadorRoles:
  - { id: informel, name: { fr: Informel }, description: { fr: Relayer } }
missionDomains:
  - { id: process, name: { fr: Process }, description: { fr: Simplifier } }
engagement: { minTimePercent: 5, maxTimePercent: 10, termMonths: 6 }
`;

/** Replaces one line (1-based) of the valid YAML. */
function withLine(n: number, line: string): string {
  const lines = VALID_YAML.split('\n');
  lines[n - 1] = line;
  return lines.join('\n');
}

function programmeError(source: string, file = 'test.yaml'): ProgrammeError {
  let caught: unknown;
  try {
    parseProgramme(source, file);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProgrammeError);
  return caught as ProgrammeError;
}

describe('the default programme (Faire Administration)', () => {
  let programme: Programme;
  beforeAll(() => {
    programme = loadProgramme(undefined);
  });

  test('is read from programme/default.yaml', () => {
    expect(path.basename(DEFAULT_PROGRAMME_FILE)).toBe('default.yaml');
    expect(programme.name.fr).toBe('Faire Administration');
  });

  test('has the five axes, in order, with the seed hashtags', () => {
    expect(programme.axes.map((a) => [a.number, a.name.fr, a.hashtags])).toEqual([
      [1, 'Accompagner les transitions', ['économie', 'santéglobale', 'inclusionsolidarité', 'numériqueresponsable', 'sobriété']],
      [2, 'Aller vers les territoires', ['présenceterritoriale', 'territorialisation']],
      [3, 'Renforcer notre culture « usager »', ['accueil', 'modeprojetcentréusager']],
      [4, 'Soigner notre marque employeur', ['nouveauxtalents', 'recrutement', 'fidéliserlesagents']],
      [5, 'Faire équipe', ['managementcollectifdélégitif', 'outilsnumériques', 'qualitédevieautravail']],
    ]);
    expect(programme.axes.map((a) => a.id)).toEqual(['transitions', 'territoires', 'usager', 'marque-employeur', 'equipe']);
  });

  test('every axis has an English name and no pilot', () => {
    for (const axis of programme.axes) {
      expect(axis.name.en).toEqual(expect.any(String));
      expect(axis.name.en!.length).toBeGreaterThan(0);
      expect(axis.pilots).toEqual([]);
    }
  });

  test('has the four phases: explorer, creer, tester, off', () => {
    expect(programme.phases.map((p) => p.id)).toEqual(['explorer', 'creer', 'tester', 'off']);
  });

  test('starts its creative constraints with the 8-year-old child', () => {
    expect(programme.constraints.length).toBeGreaterThan(1);
    expect(programme.constraints[0].fr).toMatch(/enfant de 8 ans/);
    expect(programme.constraints[0].en).toMatch(/8-year-old/);
  });

  test('has three ambassador roles and five mission domains', () => {
    expect(programme.ambassadorRoles.map((r) => r.id)).toEqual(['informel', 'service', 'multiservices']);
    expect(programme.missionDomains).toHaveLength(5);
    expect(programme.missionDomains.map((d) => d.id)).toEqual([
      'innovation-manageriale',
      'intelligence-collective',
      'politiques-publiques',
      'process-internes',
      'innovation-democratique',
    ]);
  });

  test('asks for 5 to 10% of working time over 6 months', () => {
    expect(programme.engagement).toEqual({ minTimePercent: 5, maxTimePercent: 10, termMonths: 6 });
  });

  test('reminds 7 days, 1 day and 1 hour before an event, and has no organisers', () => {
    expect(programme.reminderOffsetsMinutes).toEqual([10080, 1440, 60]);
    expect(programme.organisers).toEqual([]);
  });
});

describe('parseProgramme', () => {
  test('the sample programme is valid, with defaults filled in', () => {
    const p = parseProgramme(VALID_YAML, 'test.yaml');
    expect(p.axes.map((a) => a.id)).toEqual(['un', 'deux']);
    // A leading '#' is dropped from hashtags.
    expect(p.axes[0].hashtags).toEqual(['premier', 'commun']);
    expect(p.organisers).toEqual([]);
    expect(p.axes[0].pilots).toEqual([]);
    expect(p.reminderOffsetsMinutes).toEqual([10080, 1440, 60]);
  });

  test('a YAML syntax error is reported with its line', () => {
    const err = programmeError(withLine(10, '\tnumber: 2'), 'broken.yaml');
    expect(err.file).toBe('broken.yaml');
    expect(err.problems[0]).toMatch(/^line 10: .*[Tt]ab/);
    expect(err.message).toContain('broken.yaml');
    expect(err.message).toContain('line 10');
  });

  test('an unclosed flow sequence is a syntax error, reported near its line', () => {
    const err = programmeError(withLine(3, 'organisation: [Le Lab'));
    expect(err.problems[0]).toMatch(/^line [34]: /);
  });

  test('a duplicated key is a syntax error on its own line', () => {
    const err = programmeError(withLine(2, 'name: { fr: Encore }'));
    expect(err.problems.join('\n')).toMatch(/^line 2: /m);
  });

  test('a schema error names its line and field path (axes[0].id on line 7)', () => {
    const err = programmeError(withLine(7, '    id: "Pas Valide!"'));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain('line 7');
    expect(err.problems[0]).toContain('axes[0].id');
    expect(err.message).toContain('line 7');
    expect(err.message).toContain('axes[0].id');
    expect(err.problems[0]).toMatch(/lowercase/);
  });

  test('a missing field is reported at its parent', () => {
    // Remove "hashtags" of axis "deux" (line 12): the issue is on the axis, which starts on line 9.
    const err = programmeError(VALID_YAML.replace('    hashtags: [second]\n', ''));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain('axes[1].hashtags');
    expect(err.problems[0]).toContain('line 9');
  });

  test('every schema problem is reported, not just the first', () => {
    const source = withLine(7, '    id: "X Y"').replace('termMonths: 6', 'termMonths: 0').replace('- id: explorer', '- id: explorez');
    const err = programmeError(source);
    const all = err.problems.join('\n');
    expect(all).toContain('axes[0].id');
    expect(all).toContain('engagement.termMonths');
    expect(all).toContain('phases[0].id');
    expect(err.problems.length).toBeGreaterThanOrEqual(3);
  });

  test('an unknown key is refused (typos are not silently ignored)', () => {
    const err = programmeError(`${VALID_YAML}organizers: []\n`);
    expect(err.problems.join('\n')).toContain('organizers');
  });

  test('duplicate axis ids are refused', () => {
    const err = programmeError(VALID_YAML.replace('  - id: deux', '  - id: un'));
    const all = err.problems.join('\n');
    expect(all).toContain('axes[1]');
    expect(all).toContain('duplicates "un"');
  });

  test('duplicate axis numbers are refused', () => {
    const err = programmeError(VALID_YAML.replace('number: 2', 'number: 1'));
    expect(err.problems.join('\n')).toContain('duplicates "1"');
  });

  test('a hashtag shared by two axes is refused, whatever its case or leading #', () => {
    for (const tag of ['premier', 'PREMIER', '"#Premier"']) {
      const err = programmeError(VALID_YAML.replace('hashtags: [second]', `hashtags: [second, ${tag}]`));
      const all = err.problems.join('\n');
      expect(all).toContain('#premier belongs to two axes');
      expect(all).toContain('axes[1].hashtags');
    }
  });

  test('the same hashtag twice in one axis is not a conflict between axes', () => {
    expect(() => parseProgramme(VALID_YAML.replace('hashtags: [second]', 'hashtags: [second, second]'), 't.yaml')).not.toThrow();
  });

  test('minTimePercent above maxTimePercent is refused', () => {
    const err = programmeError(VALID_YAML.replace('minTimePercent: 5', 'minTimePercent: 20'));
    expect(err.problems.join('\n')).toContain('engagement.minTimePercent: must not exceed maxTimePercent');
  });

  test('organisers and pilots are e-mails or platform identities', () => {
    const ok = parseProgramme(
      VALID_YAML +
        'organisers: [lab@exemple.fr, "email:Jane@Exemple.fr", "slack:T0123/U0456", "teams:11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-aaaaaaaaaaaa"]\n',
      't.yaml',
    );
    expect(ok.organisers).toHaveLength(4);
    const err = programmeError(`${VALID_YAML}organisers: [bob]\n`);
    expect(err.problems.join('\n')).toMatch(/organisers\[0\]: must be an e-mail/);
  });

  test('JSON is accepted too', () => {
    const original = loadProgramme(undefined);
    const parsed = parseProgramme(JSON.stringify(original, null, 2), 'programme.json');
    expect(parsed).toEqual(original);
  });

  test('a JSON schema error also carries its line', () => {
    const data = JSON.parse(JSON.stringify(parseProgramme(VALID_YAML, 't.yaml'))) as Programme;
    data.engagement.termMonths = 0;
    const source = JSON.stringify(data, null, 2);
    const line = source.split('\n').findIndex((l) => l.includes('"termMonths"')) + 1;
    const err = programmeError(source, 'p.json');
    expect(err.problems).toEqual([expect.stringContaining(`line ${line}, engagement.termMonths`)]);
  });
});

describe('loadProgramme', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ensemble-programme-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is a ProgrammeError that points to PROGRAMME_FILE', () => {
    const file = path.join(dir, 'absent.yaml');
    let caught: unknown;
    try {
      loadProgramme(file);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProgrammeError);
    const err = caught as ProgrammeError;
    expect(err.file).toBe(file);
    expect(err.message).toContain('PROGRAMME_FILE');
    expect(err.message).toContain('ENOENT');
    expect(err.message).toContain(file);
  });

  test('reads a file given by path, and reports errors with that path', () => {
    const good = path.join(dir, 'good.yaml');
    writeFileSync(good, VALID_YAML);
    expect(loadProgramme(good).axes).toHaveLength(2);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, withLine(7, '    id: "Bad Id"'));
    expect(() => loadProgramme(bad)).toThrow(bad);
  });
});

describe('findAxis', () => {
  const programme = loadProgramme(undefined);
  const idOf = (q: string) => findAxis(programme, q)?.id;

  test('by id, case-insensitive and trimmed', () => {
    expect(idOf('usager')).toBe('usager');
    expect(idOf('USAGER')).toBe('usager');
    expect(idOf('  marque-employeur ')).toBe('marque-employeur');
  });

  test('by number', () => {
    expect(idOf('1')).toBe('transitions');
    expect(idOf('5')).toBe('equipe');
    expect(idOf('6')).toBeUndefined();
    expect(idOf('0')).toBeUndefined();
  });

  test('by hashtag, with or without #, case-insensitive', () => {
    expect(idOf('accueil')).toBe('usager');
    expect(idOf('#accueil')).toBe('usager');
    expect(idOf('#ACCUEIL')).toBe('usager');
    expect(idOf('Sobriété')).toBe('transitions');
    expect(idOf('#SOBRIÉTÉ')).toBe('transitions');
    expect(idOf('#recrutement')).toBe('marque-employeur');
    expect(idOf('#qualitédevieautravail')).toBe('equipe');
  });

  test('by name', () => {
    expect(idOf('faire équipe')).toBe('equipe');
    expect(idOf('Working as a team')).toBe('equipe');
  });

  test('unknown queries find nothing', () => {
    expect(idOf('#inconnu')).toBeUndefined();
    expect(idOf('')).toBeUndefined();
    expect(idOf('#')).toBeUndefined();
    expect(idOf('transition')).toBeUndefined();
  });
});
