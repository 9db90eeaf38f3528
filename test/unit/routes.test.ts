import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { en } from '../../src/i18n/en';
import { fr } from '../../src/i18n/fr';
import { fold } from '../../src/app/words';
import { routeTables } from '../support/routes';

/**
 * The route tables are the one place a command or a verb is declared: these checks keep them whole
 * (every verb reachable from a screen, every word unique, every word and description in both languages).
 */
const APP = path.resolve(__dirname, '../../src/app');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** The source of every file of src/app that draws cards: everything but the route tables and the verb type. */
const screens = files(APP)
  .filter((f) => !f.endsWith(`${path.sep}routes.ts`) && !f.endsWith(`${path.sep}verbs.ts`) && !f.endsWith(`${path.sep}router.ts`))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

function lookup(messages: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), messages);
}

const router = routeTables();

describe('the route tables', () => {
  test('declare the features the conversation merges', () => {
    expect(router.features.map((f) => f.name)).toEqual(['help', 'ideas', 'broadcasts', 'events']);
    expect(router.verbList().length).toBeGreaterThan(30);
  });

  test.each(router.verbList())('%s is emitted by a screen', (verb) => {
    expect(screens).toContain(`'${verb}'`);
  });

  test('every verb is handled once, by a table', () => {
    const verbs = router.features.flatMap((f) => Object.keys(f.actions));
    expect(new Set(verbs).size).toBe(verbs.length);
    for (const verb of verbs) expect(router.action(verb)).toBeDefined();
  });

  test('every command word is unique across features, and folded (lower case, no accents)', () => {
    const owner = new Map<string, string>();
    for (const c of router.commands) {
      for (const w of new Set([...c.words.fr, ...c.words.en])) {
        expect(owner.get(w) ?? c.id).toBe(c.id);
        owner.set(w, c.id);
        expect(fold(w)).toBe(w);
      }
    }
    expect(owner.size).toBeGreaterThan(40);
  });

  test('command ids are unique', () => {
    const ids = router.commands.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(router.commands.map((c) => [c.id, c] as const))('%s has words and a description in French and English', (_id, c) => {
    expect(c.words.fr.length).toBeGreaterThan(0);
    expect(c.words.en.length).toBeGreaterThan(0);
    for (const sub of c.sub ?? []) {
      expect(sub.words.fr.length).toBeGreaterThan(0);
      expect(sub.words.en.length).toBeGreaterThan(0);
      for (const w of [...sub.words.fr, ...sub.words.en]) expect(fold(w)).toBe(w);
    }
    for (const messages of [fr, en]) {
      expect(typeof lookup(messages, `commands.${c.id}.description`)).toBe('string');
      expect(typeof lookup(messages, `commands.${c.id}.args`)).toBe(typeof lookup(fr, `commands.${c.id}.args`));
    }
  });

  test('sub-command words are unique within their command', () => {
    for (const c of router.commands) {
      const words = (c.sub ?? []).flatMap((s) => [...new Set([...s.words.fr, ...s.words.en])]);
      expect(new Set(words).size).toBe(words.length);
    }
  });

  test('the help lists commands for the three audiences', () => {
    const audiences = new Set(router.commands.map((c) => c.help).filter(Boolean));
    expect(audiences).toEqual(new Set(['everyone', 'pilots', 'organisers']));
  });

  test('a word declared by two features is refused when the tables are merged', () => {
    const { Router } = jest.requireActual('../../src/app/router');
    const run = () => ({ kind: 'card', card: { fallbackText: '', elements: [] } });
    const a = { name: 'a', commands: [{ id: 'a', words: { fr: ['mot'], en: ['word'] }, run }], actions: {} };
    const b = { name: 'b', commands: [{ id: 'b', words: { fr: ['autre'], en: ['word'] }, run }], actions: {} };
    expect(() => new Router([a, b])).toThrow('command word "word" is declared by a and b');
    const c = { name: 'c', commands: [], actions: { 'x.y': { run } } };
    expect(() => new Router([c, c])).toThrow('verb "x.y" is declared twice');
  });
});
