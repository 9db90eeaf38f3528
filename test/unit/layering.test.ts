import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Architecture rules: the domain knows nothing of platforms, storage or delivery, and the card
 * renderers are pure (no platform SDK). Checked on the source text of every file.
 */

const SRC = path.resolve(__dirname, '../../src');

/** Packages the domain must not use: platform SDKs, database drivers, schedulers. */
const DOMAIN_FORBIDDEN_PACKAGES = [/^@slack\//, /^@microsoft\//, /^mongodb(\/|$)/, /^node:sqlite$/, /^node-cron(\/|$)/];
/** Source folders the domain must not reach into. */
const DOMAIN_FORBIDDEN_FOLDERS = ['platforms', 'store', 'delivery'].map((f) => path.join(SRC, f));

/** Every module specifier a source file imports: import/export … from, side-effect import, import(), require(). */
function importsOf(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  const found: string[] = [];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** The forbidden imports of a file of the domain, given its path (for relative specifiers). */
function domainViolations(source: string, file: string): string[] {
  return importsOf(source).filter((spec) => {
    if (DOMAIN_FORBIDDEN_PACKAGES.some((p) => p.test(spec))) return true;
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      return DOMAIN_FORBIDDEN_FOLDERS.some((folder) => target === folder || target.startsWith(folder + path.sep));
    }
    return false;
  });
}

/** Card renderers: no platform SDK, no driver, nothing from platforms/store/delivery. */
function cardViolations(source: string, file: string): string[] {
  return domainViolations(source, file);
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...tsFiles(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

describe('the detector (self-check)', () => {
  const domainFile = path.join(SRC, 'domain', 'sample.ts');
  const nestedDomainFile = path.join(SRC, 'domain', 'sub', 'sample.ts');

  test.each([
    "import { App } from '@slack/bolt';",
    'import type { WebClient } from "@slack/web-api";',
    "import * as teams from '@microsoft/teams.apps';",
    "import { MongoClient } from 'mongodb';",
    "import { DatabaseSync } from 'node:sqlite';",
    "import cron from 'node-cron';",
    "import { SqliteStore } from '../store/sqlite';",
    "import { normaliseSlackText } from '../platforms/slack/text';",
    "import { deliver } from '../delivery/queue';",
    "export { SqliteStore } from '../store/sqlite';",
    "import '../platforms/teams/app';",
    "const m = await import('../store/mongo');",
    "const cron = require('node-cron');",
    'import {\n  SqlitePeople,\n  SqliteRoles,\n} from "../store/sqlite";',
  ])('catches %j', (line) => {
    expect(domainViolations(`// a sample file\n${line}\nexport const x = 1;\n`, domainFile)).toHaveLength(1);
  });

  test('resolves relative imports from the file’s own folder', () => {
    expect(domainViolations("import { x } from '../../store/sqlite';", nestedDomainFile)).toEqual(['../../store/sqlite']);
    // From src/domain/sub, '../store' is src/domain/store: allowed.
    expect(domainViolations("import { x } from '../store';", nestedDomainFile)).toEqual([]);
  });

  test.each([
    "import { z } from 'zod';",
    "import { DomainError } from './errors';",
    "import type { Store } from './ports';",
    "import { storeName } from './store-names';",
    "import { readFileSync } from 'node:fs';",
    "import { slackish } from '../domain/slack';",
    "const text = 'import from @slack/bolt is forbidden';",
  ])('allows %j', (line) => {
    expect(domainViolations(line, domainFile)).toEqual([]);
  });

  test('lists every import of a file', () => {
    const source = "import a from 'a';\nimport type { B } from \"b\";\nimport 'c';\nconst d = require('d');\nconst e = import('e');\nexport * from './f';\n";
    expect(importsOf(source).sort()).toEqual(['./f', 'a', 'b', 'c', 'd', 'e']);
  });
});

describe('src/domain', () => {
  const files = tsFiles(path.join(SRC, 'domain'));

  test('is scanned (self-check)', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(files).toContain(path.join(SRC, 'domain', 'people-service.ts'));
    // Multi-line imports are read: people-service imports several names from ./roles.
    expect(importsOf(readFileSync(path.join(SRC, 'domain', 'people-service.ts'), 'utf8'))).toContain('./roles');
  });

  test('imports no platform SDK, driver, scheduler, nor anything from platforms/, store/ or delivery/', () => {
    const violations = files.flatMap((file) =>
      domainViolations(readFileSync(file, 'utf8'), file).map((spec) => `${path.relative(SRC, file)} imports ${spec}`),
    );
    expect(violations).toEqual([]);
  });
});

describe('src/cards', () => {
  const files = tsFiles(path.join(SRC, 'cards'));

  test('is scanned (self-check)', () => {
    expect(files).toEqual(expect.arrayContaining([path.join(SRC, 'cards', 'block-kit.ts'), path.join(SRC, 'cards', 'adaptive-card.ts')]));
  });

  test('the renderers are pure: no platform SDK, no driver, nothing from platforms/, store/ or delivery/', () => {
    const violations = files.flatMap((file) =>
      cardViolations(readFileSync(file, 'utf8'), file).map((spec) => `${path.relative(SRC, file)} imports ${spec}`),
    );
    expect(violations).toEqual([]);
  });
});
