import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The V8 flags the bot runs with in production, read from "npm start" (package.json), so that a
 * benchmark's bot process is the bot as operators run it (the Dockerfile sets the same in NODE_OPTIONS;
 * test/e2e/deploy.test.ts checks that both agree).
 */
export function botNodeFlags(root = path.resolve(__dirname, '../../..')): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const start = pkg.scripts.start.match(/\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/src\/main\.js/);
  if (!start) throw new Error('package.json "start" does not run "node … dist/src/main.js"');
  return start[1].trim().split(/\s+/).filter(Boolean);
}
