import { MENTION } from '../../src/app/words';
import { resolve } from '../support/routes';
import { normaliseSlackText } from '../../src/platforms/slack/text';

const norm = (text: string) => normaliseSlackText(text, 'T1');

describe('normaliseSlackText', () => {
  test('a mention with a label becomes the neutral token, trimmed', () => {
    expect(norm('<@U123|bob>')).toBe('@{slack:T1/U123}');
  });

  test('a mention without a label, and with a label containing spaces', () => {
    expect(norm('<@U123>')).toBe('@{slack:T1/U123}');
    expect(norm('<@W0ABC|Jean Dupont>')).toBe('@{slack:T1/W0ABC}');
  });

  test('the team id given is the one in the token', () => {
    expect(normaliseSlackText('<@U9>', 'TXYZ')).toBe('@{slack:TXYZ/U9}');
  });

  test('a mention inside a command stays a separate word', () => {
    const text = norm('role ajouter<@U2|anne>pilote usager');
    expect(text.split(/\s+/)).toEqual(['role', 'ajouter', '@{slack:T1/U2}', 'pilote', 'usager']);
    expect(resolve(text)).toMatchObject({ command: 'role', sub: 'ajouter', args: ['@{slack:T1/U2}', 'pilote', 'usager'] });
    expect(MENTION.exec('@{slack:T1/U2}')?.[1]).toBe('slack:T1/U2');
  });

  test('several mentions', () => {
    expect(norm('<@U1> et <@U2|b>')).toBe('@{slack:T1/U1}  et  @{slack:T1/U2}');
  });

  test('an e-mail link becomes the bare address', () => {
    expect(norm('<mailto:a@b.fr|a@b.fr>')).toBe('a@b.fr');
    expect(norm('<mailto:a@b.fr>')).toBe('a@b.fr');
    expect(resolve(norm('role retirer <mailto:x@y.fr|x@y.fr> organisateur'))).toMatchObject({ command: 'role', sub: 'retirer', args: ['x@y.fr', 'organisateur'] });
  });

  test('links become their URL', () => {
    expect(norm('<https://exemple.fr/a?b=c|exemple.fr>')).toBe('https://exemple.fr/a?b=c');
    expect(norm('voir <http://exemple.fr>')).toBe('voir http://exemple.fr');
  });

  test('a channel reference becomes #name', () => {
    expect(norm('<#C123|general>')).toBe('#general');
  });

  test('HTML entities are decoded', () => {
    expect(norm('a &lt; b &gt; c &amp; d')).toBe('a < b > c & d');
    expect(norm('&lt;@U1&gt;')).toBe('<@U1>');
  });

  test('entities are decoded once: "&amp;lt;" is the text "&lt;"', () => {
    expect(norm('&amp;lt;')).toBe('&lt;');
  });

  test('plain text is unchanged, but trimmed', () => {
    expect(norm('  idee Un guichet unique #accueil  ')).toBe('idee Un guichet unique #accueil');
    expect(norm('')).toBe('');
  });
});
