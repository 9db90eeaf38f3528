import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';
import { FakeTeams } from '../support/fake-teams';
import { startTestBot } from '../support/harness';
import { ANA, TENANT, messageActivity } from '../support/teams-activity';

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');

/** Runs the built bot as a real process, from an empty folder (so no .env is read), with only `env`. */
function run(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function until(check: () => boolean, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the bot as a process (dist/src/main.js)', () => {
  let cwd: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: "npm test" builds it first (npm run build)');
  });
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'ensemble-proc-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  test('SLACK_BOT_TOKEN without a signing secret or app token: exits non-zero with one message naming the variable', async () => {
    const p = run({ SLACK_BOT_TOKEN: 'xoxb-1', DATA_DIR: path.join(cwd, 'data') }, cwd);
    expect(await p.exited).toBe(1);
    const err = p.err();
    expect(err).toContain('Invalid configuration');
    expect(err).toContain('SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set');
    expect(err.match(/Invalid configuration/g)).toHaveLength(1);
    expect(err).not.toContain('xoxb-1');
    expect(existsSync(path.join(cwd, 'data'))).toBe(false); // nothing started
  });

  test('several bad variables are reported together', async () => {
    const p = run({ PORT: 'http', BOT_LOCALE: 'de', BOT_TIMEZONE: 'Nowhere/Land' }, cwd);
    expect(await p.exited).toBe(1);
    for (const name of ['PORT', 'BOT_LOCALE', 'BOT_TIMEZONE']) expect(p.err()).toContain(`  - ${name} `);
  });

  test('a broken programme file: exits non-zero naming the line and field', async () => {
    const file = path.join(cwd, 'programme.yaml');
    writeFileSync(file, 'name: { fr: X }\ntagline: { fr: Y }\norganisation: Lab\naxes: []\n');
    const p = run({ PROGRAMME_FILE: file, DATA_DIR: path.join(cwd, 'data') }, cwd);
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('line 4, axes: must list at least one axis');
  });

  test('with no configuration it starts on the embedded store, serves /healthz, and stops cleanly on SIGTERM', async () => {
    const p = run({ PORT: '0', DATA_DIR: path.join(cwd, 'data') }, cwd);
    await until(() => /listens on port \d+/.test(p.out()), 'the bot to listen');
    const port = Number(/listens on port (\d+)/.exec(p.out())![1]);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', store: { kind: 'sqlite', ok: true }, slack: 'off', teams: 'local' });
    expect(p.out()).toContain('npm run playground');
    const line = p
      .out()
      .split('\n')
      .find((l) => l.includes('listens on port'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 30, store: 'sqlite' }); // JSON logs in production
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(existsSync(path.join(cwd, 'data', 'ensemble.db'))).toBe(true);
  });
});

describe('durability', () => {
  test('a person and their roles written before a restart are read after it', async () => {
    const teams = await new FakeTeams().start();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-restart-'));
    try {
      const first = await startTestBot({ dataDir });
      await first.post('/api/messages', messageActivity(teams.url, ANA, 'aide'));
      await teams.waitForSent(`a:${ANA.id}`);
      await first.close();

      const second = await startTestBot({ dataDir });
      const person = await second.services.store.people.get(`teams:${TENANT}/${ANA.aadObjectId}`);
      expect(person?.displayName).toBe('Ana Teams');
      expect(person?.teams?.conversationId).toBe(`a:${ANA.id}`);
      await second.close();

      const raw = SqliteStore.open(dataDir);
      expect(await raw.people.count()).toBe(1);
      await raw.close();
    } finally {
      await teams.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
