import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite';

const MAIN = path.resolve(__dirname, '../../dist/src/main.js');
const MEMBERS = 240;
const TENANT = '11111111-1111-4111-8111-111111111111';

/**
 * A slow Bot Connector on loopback: each send takes 25 ms; it counts what each conversation receives.
 * `open()`: requests it has started on and not yet counted (or seen abandoned half-way).
 */
async function slowConnector() {
  const received = new Map<string, number>();
  let total = 0;
  let open = 0;
  const server = http.createServer((req, res) => {
    const m = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
    open++;
    let whole = false;
    req.on('error', () => undefined); // a client killed half-way
    req.on('close', () => {
      if (!whole) open--; // never arrived whole: it will never land
    });
    req.resume();
    req.on('end', () => {
      whole = true;
      setTimeout(() => {
        if (m) {
          const id = decodeURIComponent(m[1]);
          received.set(id, (received.get(id) ?? 0) + 1);
          total++;
        }
        open--;
        res.writeHead(m ? 201 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `a${total}` }));
      }, 25);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    total: () => total,
    open: () => open,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function startBot(dataDir: string, cwd: string): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', DELIVERY_LEASE_SECONDS: '5' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The broadcast's messages are all recorded, none pending: nothing of it is left to send (read from the
 * store the bot processes share).
 */
function allRecorded(dataDir: string, members: number): () => Promise<boolean> {
  return async () => {
    const store = SqliteStore.open(dataDir);
    try {
      const r = await store.outbox.report('broadcast:1');
      return r.targeted === members && r.pending === 0;
    } finally {
      await store.close();
    }
  };
}

/** Seeds members with Teams conversations on `connector` and a broadcast due now. */
async function seed(dataDir: string, connectorUrl: string, members: number): Promise<void> {
  const store = SqliteStore.open(dataDir);
  const at = new Date();
  for (let i = 0; i < members; i++) {
    const aad = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await store.people.record(
      {
        platform: 'teams',
        tenant: TENANT,
        user: aad,
        displayName: `Agent ${i}`,
        teams: { serviceUrl: `${connectorUrl}/`, conversationId: `a:conv-${i}`, userId: `29:u${i}`, tenantId: TENANT },
      },
      at,
    );
  }
  await store.broadcasts.create(
    { message: 'Le OFF de ce soir est ouvert à toutes et tous !', audience: { kind: 'everyone' }, schedule: { kind: 'now' }, createdBy: 'test', createdAt: at },
    'scheduled',
    at,
  );
  await store.close();
}

describe('two bot processes sharing one store', () => {
  test('a due broadcast is sent once: each member receives it exactly once', async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: "npm test" builds it first');
    const connector = await slowConnector();
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-pair-'));
    const dataDir = path.join(dir, 'data');
    try {
      await seed(dataDir, connector.url, 120);
      const a = startBot(dataDir, dir);
      const b = startBot(dataDir, dir);
      try {
        await until(() => connector.received.size >= 120, 'everyone to receive the broadcast', 60_000);
        // every message recorded, none pending: a second send of any of them can no longer happen
        await until(allRecorded(dataDir, 120), 'every message to be recorded', 60_000);
      } finally {
        for (const p of [a, b]) p.kill('SIGTERM');
        await Promise.all([a, b].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
      }
      expect(connector.received.size).toBe(120);
      expect([...connector.received.values()].every((n) => n === 1)).toBe(true);
      expect(connector.total()).toBe(120);
    } finally {
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('a bot process killed in the middle of a broadcast', () => {
  test('after a restart nobody is lost, and the only duplicates are the sends in flight at the kill', async () => {
    if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: "npm test" builds it first');
    const connector = await slowConnector();
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-crash-'));
    const dataDir = path.join(dir, 'data');
    try {
      // the store holds the members and a broadcast due now, as if an organiser had just confirmed it
      await seed(dataDir, connector.url, MEMBERS);

      const first = startBot(dataDir, dir);
      await until(() => connector.total() >= 80, 'the first sends', 30_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const atKill = connector.total();
      await until(() => connector.open() === 0, 'the requests the dead process had started to land', 10_000);
      const inFlightLanded = connector.total() - atKill;
      expect(connector.received.size).toBeLessThan(MEMBERS); // it really was killed mid-way

      const second = startBot(dataDir, dir);
      try {
        await until(() => connector.received.size >= MEMBERS, 'everyone to receive the broadcast', 60_000);
        // and what the dead process had in flight is sent again once its lease ran out, and recorded
        await until(allRecorded(dataDir, MEMBERS), 'every message to be recorded', 60_000);
      } finally {
        second.kill('SIGTERM');
        await new Promise((r) => second.once('exit', r));
      }
      const duplicates = [...connector.received.values()].reduce((n, c) => n + (c - 1), 0);
      expect(connector.received.size).toBe(MEMBERS); // nobody lost
      // A send is "in flight" from its claim to the record of its outcome; the dispatcher holds at most 64.
      expect(duplicates).toBeLessThanOrEqual(64);
      process.stderr.write(`[crash test] ${MEMBERS} members, killed after ${atKill} sends (+${inFlightLanded} in flight), ${duplicates} duplicate(s), 0 lost\n`);

      const after = SqliteStore.open(dataDir);
      const report = await after.outbox.report('broadcast:1');
      await after.close();
      expect(report).toMatchObject({ targeted: MEMBERS, sent: MEMBERS, pending: 0, failed: 0 });
    } finally {
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
