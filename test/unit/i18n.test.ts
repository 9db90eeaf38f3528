import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ideaInputSchema } from '../../src/domain/ideas';
import type { Locale } from '../../src/domain/locale';
import { I18n } from '../../src/i18n';
import { en } from '../../src/i18n/en';
import { fr } from '../../src/i18n/fr';

type Tree = { [key: string]: string | Tree };

const SRC = path.resolve(__dirname, '../../src');

/** Every leaf of a message tree, as "a.b.c" → text. */
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of leaves(value, full)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1]));

const frLeaves = leaves(fr as unknown as Tree);
const enLeaves = leaves(en as unknown as Tree);

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** The plural category of a key ("supports_one" → "one"), if it has one. */
const suffix = (key: string) => PLURAL.exec(key)?.[1] as Intl.LDMLPluralRule | undefined;
/** A key without its plural suffix. */
const base = (key: string) => key.replace(PLURAL, '');

/** A key the code may ask for: a leaf itself or the base of plural forms (key_one, key_other). */
function hasKey(tree: Map<string, string>, key: string): boolean {
  return tree.has(key) || tree.has(`${key}_other`);
}

/** Every .ts file under a folder, recursively. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...tsFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The literal codes of `new DomainError('…'` in these files, with where they were found. */
function domainErrorCodes(files: string[]): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/new\s+DomainError\(\s*(['"])([^'"]+)\1/g)) {
      if (!codes.has(m[2])) codes.set(m[2], path.relative(SRC, file));
    }
  }
  return codes;
}

describe('message trees', () => {
  test('the trees are not trivially small', () => {
    expect(frLeaves.size).toBeGreaterThan(50);
  });

  test('fr and en have exactly the same keys (plural forms aside, which depend on the language)', () => {
    const frKeys = new Set([...frLeaves.keys()].map(base));
    const enKeys = new Set([...enLeaves.keys()].map(base));
    expect([...frKeys].filter((k) => !enKeys.has(k)).sort()).toEqual([]);
    expect([...enKeys].filter((k) => !frKeys.has(k)).sort()).toEqual([]);
  });

  test('the plural forms of fr and en agree except for categories one language lacks', () => {
    const frOnly = [...frLeaves.keys()].filter((k) => !enLeaves.has(k));
    const enOnly = [...enLeaves.keys()].filter((k) => !frLeaves.has(k));
    // Only plural-suffixed keys may differ, and only in categories the other language does not have.
    for (const k of frOnly) expect([k, new Intl.PluralRules('en').resolvedOptions().pluralCategories.includes(suffix(k)!)]).toEqual([k, false]);
    for (const k of enOnly) expect([k, new Intl.PluralRules('fr').resolvedOptions().pluralCategories.includes(suffix(k)!)]).toEqual([k, false]);
  });

  test('every plural message has the "one" and "other" forms in both languages', () => {
    const bases = new Set([...frLeaves.keys(), ...enLeaves.keys()].filter((k) => suffix(k)).map(base));
    expect(bases.size).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const b of bases) {
      for (const [name, tree] of [
        ['fr', frLeaves],
        ['en', enLeaves],
      ] as const) {
        for (const cat of ['one', 'other']) if (!tree.has(`${b}_${cat}`)) missing.push(`${name} ${b}_${cat}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // French has a third plural category, "many" (1 000 000, 2 000 000…): without `supports_many`, i18next
  // would print the raw key "ideas.supports".
  test('every plural message has all the plural categories of its language', () => {
    const missing: string[] = [];
    for (const [name, tree] of [
      ['fr', frLeaves],
      ['en', enLeaves],
    ] as const) {
      const categories = new Intl.PluralRules(name).resolvedOptions().pluralCategories;
      const bases = new Set([...tree.keys()].filter((k) => suffix(k)).map(base));
      for (const b of bases) for (const cat of categories) if (cat !== 'zero' && !tree.has(`${b}_${cat}`)) missing.push(`${name} ${b}_${cat}`);
    }
    expect(missing).toEqual([]);
  });

  test('the same nodes are branches in both (no leaf in one that is a branch in the other)', () => {
    const branches = (tree: Map<string, string>) =>
      new Set(
        [...tree.keys()].flatMap((k) =>
          k
            .split('.')
            .slice(0, -1)
            .map((_, i, parts) => parts.slice(0, i + 1).join('.')),
        ),
      );
    expect([...branches(frLeaves)].sort()).toEqual([...branches(enLeaves)].sort());
  });

  test('no message is empty', () => {
    for (const [name, tree] of [
      ['fr', frLeaves],
      ['en', enLeaves],
    ] as const) {
      const empty = [...tree].filter(([, text]) => text.trim() === '').map(([k]) => `${name}:${k}`);
      expect(empty).toEqual([]);
    }
  });

  test('every {{placeholder}} exists in both languages', () => {
    const mismatches: string[] = [];
    for (const [key, frText] of frLeaves) {
      const enText = enLeaves.get(key) ?? (suffix(key) ? enLeaves.get(`${base(key)}_other`) : undefined);
      if (enText === undefined) continue; // reported by the key test
      const a = [...placeholders(frText)].sort();
      const b = [...placeholders(enText)].sort();
      if (a.join(',') !== b.join(',')) mismatches.push(`${key}: fr {${a.join(',')}} en {${b.join(',')}}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('placeholders are well formed (no single braces left over)', () => {
    const bad: string[] = [];
    for (const [name, tree] of [
      ['fr', frLeaves],
      ['en', enLeaves],
    ] as const) {
      for (const [key, text] of tree) {
        const rest = text.replace(/\{\{\s*[^}\s]+\s*\}\}/g, '');
        if (/\{\{|\}\}/.test(rest)) bad.push(`${name}:${key}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('I18n', () => {
  const i18n = new I18n('fr');

  test('translates in the requested locale', () => {
    expect(i18n.t('fr', 'menu.help')).toBe(fr.menu.help);
    expect(i18n.t('en', 'menu.help')).toBe(en.menu.help);
    expect(i18n.t('fr', 'menu.help')).not.toBe(i18n.t('en', 'menu.help'));
  });

  test('fills in parameters without HTML-escaping them', () => {
    expect(i18n.t('en', 'unknown.text', { word: '<b>&' })).toBe(en.unknown.text.replace('{{word}}', '<b>&'));
    expect(i18n.t('fr', 'errors.axis.unknown', { axis: 'lune', axes: 'a, b' })).toBe(fr.errors.axis.unknown.replace('{{axis}}', 'lune').replace('{{axes}}', 'a, b'));
  });

  test('uses plural forms', () => {
    expect(i18n.t('fr', 'ideas.supports', { count: 0 })).toBe(fr.ideas.supports_one.replace('{{count}}', '0'));
    expect(i18n.t('fr', 'ideas.supports', { count: 1 })).toBe(fr.ideas.supports_one.replace('{{count}}', '1'));
    expect(i18n.t('fr', 'ideas.supports', { count: 3 })).toBe(fr.ideas.supports_other.replace('{{count}}', '3'));
    expect(i18n.t('en', 'ideas.supports', { count: 3 })).toBe(en.ideas.supports_other.replace('{{count}}', '3'));
  });

  test('falls back to French for a locale it does not speak', () => {
    expect(i18n.t('de' as Locale, 'menu.help')).toBe(fr.menu.help);
    expect(new I18n('en').t('es' as Locale, 'menu.help')).toBe(fr.menu.help);
  });

  test('without a locale, uses the default locale', () => {
    expect(new I18n('en').t(undefined, 'menu.help')).toBe(en.menu.help);
    expect(new I18n('fr').t(undefined, 'menu.help')).toBe(fr.menu.help);
  });

  test('forLocale binds a locale', () => {
    expect(i18n.forLocale('en')('menu.help')).toBe(en.menu.help);
    expect(new I18n('en').forLocale(undefined)('menu.help')).toBe(en.menu.help);
  });

  test('has() tells known keys from unknown ones', () => {
    expect(i18n.has('errors.role.notHeld')).toBe(true);
    expect(i18n.has('errors.role.doesNotExist')).toBe(false);
  });
});

describe('every error the code can raise has a message', () => {
  const files = [...tsFiles(path.join(SRC, 'domain')), ...tsFiles(path.join(SRC, 'app'))];
  const codes = domainErrorCodes(files);

  test('the scan finds the codes (self-check)', () => {
    expect(files.some((f) => f.endsWith(path.join('domain', 'people-service.ts')))).toBe(true);
    for (const code of ['role.organiserOnly', 'role.selfRevoke', 'axis.unknown']) expect(codes.has(code)).toBe(true);
    expect(domainErrorCodes([])).toEqual(new Map());
  });

  test('every literal `new DomainError(code)` has errors.<code> in fr and en', () => {
    const missing: string[] = [];
    for (const [code, file] of codes) {
      // a message with a count has plural forms (errors.<code>_one, errors.<code>_other…)
      const has = (leaves: { has(key: string): boolean }) => leaves.has(`errors.${code}`) || leaves.has(`errors.${code}_other`);
      if (!has(frLeaves)) missing.push(`fr errors.${code} (${file})`);
      if (!has(enLeaves)) missing.push(`en errors.${code} (${file})`);
    }
    expect(missing).toEqual([]);
  });

  test('every idea validation code (idea.<field>.<problem>) has a message in fr and en', () => {
    // IdeasService turns the schema's messages ("title.tooLong") or "<field>.invalid" into `idea.<code>`,
    // except "axis.unknown", which is reported as the top-level `axis.unknown`.
    const source = readFileSync(path.join(SRC, 'domain', 'ideas.ts'), 'utf8');
    const fromMessages = [...source.matchAll(/'([a-z]+\.[a-zA-Z]+)'/g)].map((m) => m[1]).filter((c) => c !== 'axis.unknown');
    expect(fromMessages).toContain('title.tooLong');
    const fromFields = [...Object.keys(ideaInputSchema.shape), 'input'].map((field) => `${field}.invalid`);
    const missing = [...new Set([...fromMessages, ...fromFields])].flatMap((code) =>
      [frLeaves.has(`errors.idea.${code}`) ? null : `fr errors.idea.${code}`, enLeaves.has(`errors.idea.${code}`) ? null : `en errors.idea.${code}`].filter(
        (x): x is string => x !== null,
      ),
    );
    expect(missing).toEqual([]);
  });

  test('the error card title and the generic error exist', () => {
    expect(frLeaves.get('errors.generic')).toBeTruthy();
    expect(enLeaves.get('errors.generic')).toBeTruthy();
  });
});

describe('every literal key the code translates exists', () => {
  test("t('…') keys used under src/ are in fr and en", () => {
    const missing: string[] = [];
    for (const file of tsFiles(SRC)) {
      if (file.startsWith(path.join(SRC, 'i18n'))) continue;
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) {
        for (const [name, tree] of [
          ['fr', frLeaves],
          ['en', enLeaves],
        ] as const) {
          if (!hasKey(tree, m[1])) missing.push(`${name} ${m[1]} (${path.relative(SRC, file)})`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});
