import { MENTION, fold, numberToken } from '../../src/app/words';
import { ROLE_NAMES } from '../../src/app/help/routes';
import { resolve, routeTables } from '../support/routes';

describe('fold', () => {
  test('lower-cases and drops accents', () => {
    expect(fold('Idée')).toBe('idee');
    expect(fold('IDÉE')).toBe('idee');
    expect(fold('idee')).toBe('idee');
    expect(fold('Répondre')).toBe('repondre');
  });

  test('handles decomposed (NFD) input like composed input', () => {
    expect(fold('Ide\u0301e')).toBe('idee');
  });
});

describe('commands: help and inspiration', () => {
  test.each(['', '   ', '\n\t'])('%j is the menu', (text) => {
    expect(resolve(text)).toEqual({ kind: 'empty' });
  });

  test.each(['aide', 'AIDE', 'Aide', 'help', 'menu', '?', 'bonjour', '/aide'])('%s is help', (text) => {
    expect(resolve(text)).toEqual({ command: 'help', args: [], rest: '' });
  });

  test.each(['inspire-moi', 'Inspire-me', 'INSPIRE-MOI', 'inspire', 'contrainte'])('%s is inspire', (text) => {
    expect(resolve(text)).toMatchObject({ command: 'inspire' });
  });

  test('surrounding whitespace is ignored', () => {
    expect(resolve('   aide   ')).toEqual({ command: 'help', args: [], rest: '' });
  });
});

describe('commands: roles', () => {
  test('role alone: my roles', () => {
    expect(resolve('role')).toEqual({ command: 'role', args: [], rest: '' });
    expect(resolve('Rôle')).toMatchObject({ command: 'role', args: [] });
    expect(resolve('roles')).toMatchObject({ command: 'role', args: [] });
  });

  test.each(['role liste', 'role list', 'ROLE LISTE', 'role lister'])('%s: the list', (text) => {
    expect(resolve(text)).toMatchObject({ command: 'role', sub: 'liste' });
  });

  test('role ajouter <mention> pilote <axis>: a grant with target, role and axis', () => {
    expect(resolve('role ajouter @{slack:T1/U2} pilote usager')).toEqual({
      command: 'role',
      sub: 'ajouter',
      args: ['@{slack:T1/U2}', 'pilote', 'usager'],
      rest: '@{slack:T1/U2} pilote usager',
    });
  });

  test('the mention token is recognised by MENTION', () => {
    const r = resolve('role ajouter @{slack:T1/U2} pilote usager');
    expect('args' in r && MENTION.exec(r.args[0])?.[1]).toBe('slack:T1/U2');
  });

  test('role retirer <e-mail> organisateur: a revocation without axis', () => {
    expect(resolve('role retirer x@y.fr organisateur')).toMatchObject({ command: 'role', sub: 'retirer', args: ['x@y.fr', 'organisateur'] });
  });

  test('English verbs; the target keeps its case', () => {
    expect(resolve('role add jane@x.fr PILOTE #accueil')).toMatchObject({ command: 'role', sub: 'ajouter', args: ['jane@x.fr', 'PILOTE', '#accueil'] });
    expect(resolve('role remove jane@x.fr Organisatrice')).toMatchObject({ command: 'role', sub: 'retirer' });
    expect(resolve('role donner Jane@X.fr Pilote 3')).toMatchObject({ command: 'role', sub: 'ajouter', args: ['Jane@X.fr', 'Pilote', '3'] });
  });

  test('an unknown role verb is no sub-command: the role command answers with its usage', () => {
    expect(resolve('role promouvoir x@y.fr pilote')).toEqual({ command: 'role', args: ['promouvoir', 'x@y.fr', 'pilote'], rest: 'promouvoir x@y.fr pilote' });
  });

  test('role names the command understands map to the two roles', () => {
    expect(new Set(ROLE_NAMES.values())).toEqual(new Set(['pilote', 'organisateur']));
    expect(ROLE_NAMES.get(fold('Organisateur'))).toBe('organisateur');
    expect(ROLE_NAMES.get(fold('pilot'))).toBe('pilote');
    expect(ROLE_NAMES.get('__proto__')).toBeUndefined();
  });
});

describe('commands: ideas', () => {
  test('idee keeps the rest of the text, with its own spacing', () => {
    expect(resolve('Idée Un guichet  unique #accueil')).toEqual({ command: 'idea', args: ['Un', 'guichet', 'unique', '#accueil'], rest: 'Un guichet  unique #accueil' });
  });

  test('voir <n°>', () => {
    expect(resolve('voir 42')).toEqual({ command: 'view', args: ['42'], rest: '42' });
  });

  test('statut <n°> <statut> <réponse>: the answer keeps its line breaks', () => {
    expect(resolve('statut 3 retenue Bravo,\non le fait')).toEqual({
      command: 'status',
      args: ['3', 'retenue', 'Bravo,', 'on', 'le', 'fait'],
      rest: '3 retenue Bravo,\non le fait',
    });
  });

  test('fusionner <a> dans <b>', () => {
    expect(resolve('fusionner 4 dans 2')).toMatchObject({ command: 'merge', args: ['4', 'dans', '2'] });
  });
});

describe('commands: broadcasts and events', () => {
  test('diffusion and its sub-commands; diffusions is the list', () => {
    expect(resolve('diffusion')).toEqual({ command: 'broadcast', args: [], rest: '' });
    expect(resolve('diffusion rapport 3')).toEqual({ command: 'broadcast', sub: 'rapport', args: ['3'], rest: '3' });
    expect(resolve('broadcast now Hello  all')).toEqual({ command: 'broadcast', sub: 'maintenant', args: ['Hello', 'all'], rest: 'Hello  all' });
    expect(resolve('diffusions')).toMatchObject({ command: 'broadcasts' });
  });

  test.each([
    ['agenda', 'agenda'],
    ['Journées', 'agenda'],
    ['events', 'agenda'],
    ['participer 3', 'register'],
    ['join 3', 'register'],
    ['désinscrire 3', 'unregister'],
    ['leave 3', 'unregister'],
  ])('%s', (text, command) => {
    expect(resolve(text)).toMatchObject({ command });
  });

  test('événement annuler keeps the rest of the text (a cancellation reason)', () => {
    expect(resolve('événement annuler 4 salle  indisponible')).toEqual({ command: 'event', sub: 'annuler', args: ['4', 'salle', 'indisponible'], rest: '4 salle  indisponible' });
  });

  test('événement <n°> is no sub-command: the event command shows that event', () => {
    expect(resolve('evenement 12')).toEqual({ command: 'event', args: ['12'], rest: '12' });
  });
});

describe('commands: unknown words', () => {
  test('a near miss gets a suggestion', () => {
    expect(resolve('aied')).toEqual({ kind: 'unknown', word: 'aied', suggestion: 'aide' });
    expect(resolve('rol')).toMatchObject({ kind: 'unknown', suggestion: 'role' });
  });

  test('a word far from every command gets none', () => {
    expect(resolve('zzzzzz')).toEqual({ kind: 'unknown', word: 'zzzzzz', suggestion: undefined });
  });

  test('the word is reported as typed (not folded), and cut to 60 characters', () => {
    expect(resolve('Zzzzz du texte')).toMatchObject({ kind: 'unknown', word: 'Zzzzz' });
    const long = resolve('x'.repeat(200));
    expect(long).toMatchObject({ kind: 'unknown' });
    expect('word' in long && long.word).toHaveLength(60);
  });

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('%s is no command (no prototype lookup)', (word) => {
    expect(resolve(word)).toMatchObject({ kind: 'unknown', word });
    expect(resolve(`role ${word} x pilote`)).toMatchObject({ command: 'role', args: [word, 'x', 'pilote'] });
  });
});

describe('numbers', () => {
  test.each([
    ['42', 42],
    ['n°42', 42],
    ['#42', 42],
    ['no. 42', null],
    ['no.42', 42],
    ['4x', null],
    ['', null],
    ['1234567890', null],
  ])('%j → %j', (word, n) => {
    expect(numberToken(word)).toBe(n);
  });
});

test('the merged tables answer every word of every command', () => {
  const router = routeTables();
  for (const c of router.commands) for (const w of [...c.words.fr, ...c.words.en]) expect(resolve(w, router)).toMatchObject({ command: c.id });
});
