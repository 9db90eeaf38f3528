import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project's root folder (where package.json is), from sources (`src/`) or from the build (`dist/src/`). */
export function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'programme'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}
