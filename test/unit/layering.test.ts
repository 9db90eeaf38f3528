import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Architecture rules: the domain knows nothing of platforms, storage or delivery, and the card
 * renderers are pure (no platform SDK). Checked on the source text of every file.
 */

const SRC = path.resolve(__dirname, '../../src');

/** Platform SDKs, database drivers, schedulers and the HTTP framework: only the edges use them. */
const EDGE_PACKAGES = [/^@slack\//, /^@microsoft\//, /^mongodb(\/|$)/, /^node:sqlite$/, /^node-cron(\/|$)/, /^express(\/|$)/];

/** Each layer, with the packages and the source folders it must not reach. */
const LAYERS: Record<string, { packages: RegExp[]; folders: string[] }> = {
  domain: { packages: EDGE_PACKAGES, folders: ['platforms', 'store', 'delivery', 'app', 'http', 'scheduler', 'cards', 'config', 'tools'] },
  cards: { packages: EDGE_PACKAGES, folders: ['platforms', 'store', 'delivery', 'app', 'http', 'scheduler', 'config', 'tools'] },
  // the charts draw a spec to SVG/PNG: no platform, no store, no delivery, no feature
  charts: { packages: EDGE_PACKAGES, folders: ['platforms', 'store', 'delivery', 'app', 'http', 'scheduler', 'tools'] },
  app: { packages: EDGE_PACKAGES, folders: ['platforms', 'store', 'delivery', 'http', 'scheduler', 'tools'] },
  delivery: { packages: EDGE_PACKAGES, folders: ['platforms', 'store', 'app', 'http', 'scheduler', 'tools'] },
  // the operator's tools (migrate, backup) work on the stores only: no platform, no bot, no HTTP
  tools: {
    packages: [/^@slack\//, /^@microsoft\//, /^node-cron(\/|$)/, /^express(\/|$)/],
    folders: ['platforms', 'delivery', 'app', 'http', 'scheduler', 'cards', 'i18n', 'bot', 'main'],
  },
  // nothing that runs the bot depends on the tools
  store: { packages: [/^@slack\//, /^@microsoft\//, /^node-cron(\/|$)/, /^express(\/|$)/], folders: ['tools'] },
};

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

/** The forbidden imports of a file of `layer`, given its path (for relative specifiers). */
function violations(layer: keyof typeof LAYERS, source: string, file: string): string[] {
  const rule = LAYERS[layer];
  const folders = rule.folders.map((f) => path.join(SRC, f));
  return importsOf(source).filter((spec) => {
    if (rule.packages.some((p) => p.test(spec))) return true;
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      return folders.some((folder) => target === folder || target.startsWith(folder + path.sep));
    }
    return false;
  });
}

const domainViolations = (source: string, file: string) => violations('domain', source, file);

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

  test.each([
    ['delivery', "import { cardActivity } from '../platforms/teams/app';"],
    ['delivery', "import type { Conversation } from '../app/conversation';"],
    ['app', "import { isSlackChannelId } from '../../platforms/slack/ids';"],
    ['app', "import type express from 'express';"],
    ['cards', "import type { Reply } from '../app/reply';"],
    ['charts', "import { SqliteStore } from '../store/sqlite';"],
    ['domain', "import { textCard } from '../app/common';"],
    ['tools', "import { startBot } from '../bot';"],
    ['tools', "import { IdeasFlow } from '../app/ideas/flow';"],
    ['tools', "import { SlackSender } from '../delivery/senders';"],
    ['store', "import { migrateToMongo } from '../tools/migrate';"],
  ] as const)('in src/%s, catches %j', (layer, line) => {
    // a file of src/app's features sits one folder deeper (src/app/ideas/…)
    const file = layer === 'app' ? path.join(SRC, 'app', 'ideas', 'sample.ts') : path.join(SRC, layer, 'sample.ts');
    expect(violations(layer, line, file)).toHaveLength(1);
  });

  test('lists every import of a file', () => {
    const source = "import a from 'a';\nimport type { B } from \"b\";\nimport 'c';\nconst d = require('d');\nconst e = import('e');\nexport * from './f';\n";
    expect(importsOf(source).sort()).toEqual(['./f', 'a', 'b', 'c', 'd', 'e']);
  });
});

describe.each(Object.keys(LAYERS) as Array<keyof typeof LAYERS>)('src/%s', (layer) => {
  const files = tsFiles(path.join(SRC, layer));

  test('is scanned (self-check)', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  test(`imports none of: ${LAYERS[layer].packages.map(String).join(' ')}, nor anything from ${LAYERS[layer].folders.join('/, ')}/`, () => {
    const found = files.flatMap((file) => violations(layer, readFileSync(file, 'utf8'), file).map((spec) => `${path.relative(SRC, file)} imports ${spec}`));
    expect(found).toEqual([]);
  });
});

describe('the domain and the messages', () => {
  test('the domain reads the messages for their types only (error codes), never at run time', () => {
    for (const file of tsFiles(path.join(SRC, 'domain'))) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^import\s+(type\s+)?[^;]*from\s+'(\.\.\/i18n[^']*)'/gm))
        expect(`${path.relative(SRC, file)}: ${m[1] ? 'type' : 'value'} import of ${m[2]}`).toContain(': type import');
    }
  });
});

describe('src/app knows no platform', () => {
  test('no platform id format (Teams 19:… conversations, Slack C… channels) is tested in src/app', () => {
    const found = tsFiles(path.join(SRC, 'app')).flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      return [/['"`]19:/, /\[CG\]\[A-Z0-9\]/, /@thread\./].filter((p) => p.test(source)).map((p) => `${path.relative(SRC, file)} matches ${p}`);
    });
    expect(found).toEqual([]);
  });
});
