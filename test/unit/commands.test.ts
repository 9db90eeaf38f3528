import { fold, KNOWN_WORDS, MENTION, parseCommand, ROLE_NAMES } from '../../src/app/commands';

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

describe('parseCommand: help and inspiration', () => {
  test.each(['', '   ', '\n\t'])('%j is help', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'help' });
  });

  test.each(['aide', 'AIDE', 'Aide', 'help', 'menu', '?', 'bonjour', '/aide'])('%s is help', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'help' });
  });

  test.each(['inspire-moi', 'Inspire-me', 'INSPIRE-MOI', 'inspire', 'contrainte'])('%s is inspire', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'inspire' });
  });

  test('surrounding whitespace is ignored', () => {
    expect(parseCommand('   aide   ')).toEqual({ name: 'help' });
  });
});

describe('parseCommand: roles', () => {
  test('role alone: my roles', () => {
    expect(parseCommand('role')).toEqual({ name: 'role.mine' });
    expect(parseCommand('Rôle')).toEqual({ name: 'role.mine' });
    expect(parseCommand('roles')).toEqual({ name: 'role.mine' });
  });

  test.each(['role liste', 'role list', 'ROLE LISTE', 'role lister'])('%s: the list', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'role.list' });
  });

  test('role ajouter <mention> pilote <axis>: a grant with target, role and axis', () => {
    expect(parseCommand('role ajouter @{slack:T1/U2} pilote usager')).toEqual({
      name: 'role.grant',
      target: '@{slack:T1/U2}',
      role: 'pilote',
      axis: 'usager',
    });
  });

  test('the mention token is recognised by MENTION', () => {
    const cmd = parseCommand('role ajouter @{slack:T1/U2} pilote usager');
    expect(cmd.name).toBe('role.grant');
    if (cmd.name !== 'role.grant') return;
    expect(MENTION.exec(cmd.target)?.[1]).toBe('slack:T1/U2');
  });

  test('role retirer <e-mail> organisateur: a revocation without axis', () => {
    expect(parseCommand('role retirer x@y.fr organisateur')).toEqual({
      name: 'role.revoke',
      target: 'x@y.fr',
      role: 'organisateur',
      axis: undefined,
    });
  });

  test('English verbs and an accented, capitalised role name', () => {
    expect(parseCommand('role add jane@x.fr PILOTE #accueil')).toEqual({
      name: 'role.grant',
      target: 'jane@x.fr',
      role: 'pilote',
      axis: '#accueil',
    });
    expect(parseCommand('role remove jane@x.fr Organisatrice')).toMatchObject({ name: 'role.revoke', role: 'organisatrice' });
  });

  test('the role word is folded but the target keeps its case', () => {
    const cmd = parseCommand('role donner Jane@X.fr Pilote 3');
    expect(cmd).toEqual({ name: 'role.grant', target: 'Jane@X.fr', role: 'pilote', axis: '3' });
  });

  test.each([
    'role ajouter x',
    'role ajouter x@y.fr',
    'role ajouter x@y.fr pilote usager en-trop',
    'role promouvoir x@y.fr pilote',
    'role retirer',
  ])('%s: usage', (text) => {
    expect(parseCommand(text)).toEqual({ name: 'role.usage' });
  });

  test('role names the command understands map to the two roles', () => {
    expect(new Set(Object.values(ROLE_NAMES))).toEqual(new Set(['pilote', 'organisateur']));
    expect(ROLE_NAMES[fold('Organisateur')]).toBe('organisateur');
    expect(ROLE_NAMES[fold('pilot')]).toBe('pilote');
  });
});

describe('parseCommand: ideas', () => {
  test('idee keeps the rest of the text, with its own spacing', () => {
    expect(parseCommand('Idée Un guichet  unique #accueil')).toEqual({ name: 'idea.quick', text: 'Un guichet  unique #accueil' });
  });

  test('voir <n°>', () => {
    expect(parseCommand('voir 42')).toEqual({ name: 'idea.view', id: '42' });
    expect(parseCommand('voir')).toEqual({ name: 'idea.usage', usage: 'view' });
  });

  test('statut <n°> <statut> <réponse>', () => {
    expect(parseCommand('statut 3 retenue Bravo,\non le fait')).toEqual({ name: 'idea.answer', id: '3', status: 'retenue', text: 'Bravo,\non le fait' });
    expect(parseCommand('statut 3')).toEqual({ name: 'idea.usage', usage: 'answer' });
  });

  test('fusionner <a> dans <b>', () => {
    expect(parseCommand('fusionner 4 dans 2')).toEqual({ name: 'idea.merge', from: '4', into: '2' });
    expect(parseCommand('fusionner 4')).toEqual({ name: 'idea.usage', usage: 'merge' });
  });
});

describe('parseCommand: unknown words', () => {
  test('a near miss gets a suggestion', () => {
    expect(parseCommand('aied')).toEqual({ name: 'unknown', word: 'aied', suggestion: 'aide' });
    expect(parseCommand('rol')).toMatchObject({ name: 'unknown', suggestion: 'role' });
  });

  test('a word far from every command gets none', () => {
    const cmd = parseCommand('zzzzzz');
    expect(cmd).toEqual({ name: 'unknown', word: 'zzzzzz', suggestion: undefined });
  });

  test('the word is reported as typed (not folded), and cut to 60 characters', () => {
    expect(parseCommand('Zzzzz du texte')).toMatchObject({ name: 'unknown', word: 'Zzzzz' });
    const long = 'x'.repeat(200);
    const cmd = parseCommand(long);
    expect(cmd.name).toBe('unknown');
    if (cmd.name === 'unknown') expect(cmd.word).toHaveLength(60);
  });

  test('every suggested word is itself a command', () => {
    for (const word of KNOWN_WORDS) expect(parseCommand(word).name).not.toBe('unknown');
  });
});
