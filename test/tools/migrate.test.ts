import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Contact } from '../../src/domain/people';
import { MongoStore } from '../../src/store/mongo';
import { SqliteStore } from '../../src/store/sqlite';
import { type CliIo, dataDirOf } from '../../src/tools/cli';
import { migrateToMongo, TargetNotEmptyError } from '../../src/tools/migrate';
import { EXIT, runMigrate } from '../../src/tools/migrate-cli';
import { freshDatabase, mongoUri, sayIfMongoSkipped, uriWithDatabase } from '../support/mongo';

sayIfMongoSkipped('migrate');
if (mongoUri) jest.setTimeout(120_000); // FerretDB 1.x scans whole collections (see mongo-store.test.ts)

const T0 = new Date('2026-11-23T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function captured(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

const SLACK: Contact = { platform: 'slack', tenant: 'T1', user: 'U1', displayName: 'Camille', email: 'Camille@Exemple.fr', locale: 'fr' };
const SLACK2: Contact = { platform: 'slack', tenant: 'T1', user: 'U2' };
const TEAMS: Contact = {
  platform: 'teams',
  tenant: 'tenant-1',
  user: 'aad-1',
  displayName: 'Ana',
  locale: 'en',
  teams: { serviceUrl: 'https://smba.example/', conversationId: 'a:1', userId: '29:ana', tenantId: 'tenant-1' },
};

/** An embedded store with some of everything, written through its own repositories. */
async function fill(dataDir: string): Promise<void> {
  const s = SqliteStore.open(dataDir);
  try {
    await s.installationId();
    await s.health(); // a probe row: not copied
    const [u1, u2, ana] = [await s.people.record(SLACK, at(0)), await s.people.record(SLACK2, at(1)), await s.people.record(TEAMS, at(2))];
    // two decisions at the same moment: their order is kept by id
    await s.roles.save({ subject: u1.id, role: 'pilote', axisId: 'usager', active: true, by: 'seed', at: at(3) });
    await s.roles.save({ subject: u1.id, role: 'pilote', axisId: 'usager', active: false, by: 'seed', at: at(3) });
    await s.roles.save({ subject: ana.id, role: 'organisateur', active: true, by: 'seed', at: at(3) });
    const idea = (title: string, axisId: string, hashtags: string[], minute: number) =>
      s.ideas.create({ title, description: `${title}, en détail`, axisId, hashtags, anonymous: minute % 2 === 0, authorId: u1.id, createdAt: at(minute) });
    const i1 = await idea('Un guichet unique', 'usager', ['accueil', 'simplification'], 4);
    const i2 = await idea('Moins de papier', 'sobriete', ['papier'], 5);
    const i3 = await idea('Moins de papier encore', 'sobriete', [], 6);
    const i4 = await idea('À masquer', 'usager', ['accueil'], 7);
    for (const p of [u1, u2, ana]) await s.ideas.addSupport(i1.id, p.id, at(8));
    await s.ideas.addSupport(i3.id, u2.id, at(9));
    await s.ideas.setStatus(i1.id, 'retenue', 'Bonne idée', ana.id, at(10));
    await s.ideas.merge(i3.id, i2.id, at(11));
    await s.ideas.hide(i4.id, 'hors sujet', ana.id, at(12));
    await s.drafts.save(u2.id, '{"title":"brouillon"}', at(13));
    const target = (personId: string) => ({ kind: 'person' as const, personId });
    await s.outbox.enqueue(
      [
        { key: 'k1', source: 'b1', platform: 'slack', target: target(u1.id), payload: '{"text":"bonjour"}', dueAt: at(14) },
        { key: 'k2', source: 'b1', platform: 'slack', target: target(u2.id), payload: '{"text":"bonjour"}', dueAt: at(14) },
        { key: 'k3', source: 'b1', platform: 'teams', target: target(ana.id), payload: '{"text":"hello"}', dueAt: at(14) },
        { key: 'k4', source: 'r1', platform: 'slack', target: { kind: 'response', url: 'https://hooks.example/1' }, payload: '{"text":"ok"}', dueAt: at(14), lane: 'reply' },
      ],
      at(14),
    );
    const [m1, m2] = await s.outbox.claim('old-instance', at(15), 2, 60_000);
    await s.outbox.markSent(m1.id, 'old-instance', at(15));
    await s.outbox.markFailed(m2.id, 'old-instance', { reason: 'user_not_found', permanent: true });
    await s.broadcasts.create(
      { message: 'Journée Créer', audience: { kind: 'everyone' }, schedule: { kind: 'at', at: at(600) }, createdBy: ana.id, createdAt: at(16) },
      'scheduled',
      at(600),
    );
    await s.broadcasts.create(
      {
        message: 'Chaque lundi',
        link: { label: 'Lien', url: 'https://exemple.fr' },
        audience: { kind: 'axis', axisId: 'usager' },
        schedule: { kind: 'cron', cron: '0 9 * * 1' },
        createdBy: ana.id,
        createdAt: at(17),
      },
      'draft',
      undefined,
    );
    const e = await s.events.create({
      kind: 'creer',
      title: 'Journée Créer',
      description: 'Imaginer ensemble',
      startsAt: at(10_000),
      endsAt: at(10_480),
      place: 'Salle 2',
      capacity: 1,
      axisId: 'usager',
      audience: { kind: 'everyone' },
      createdBy: ana.id,
      createdAt: at(18),
    });
    await s.events.create({
      kind: 'off',
      title: 'OFF',
      description: 'Ouvert à tous',
      startsAt: at(20_000),
      endsAt: at(20_060),
      audience: { kind: 'everyone' },
      createdBy: ana.id,
      createdAt: at(19),
    });
    await s.events.register(e.id, u2.id, at(20));
    await s.events.register(e.id, u1.id, at(20)); // same moment: the waiting list's order is kept by id
    await s.events.register(e.id, ana.id, at(21));
    await s.events.saveFeedback({ eventId: e.id, personId: u2.id, rating: 5, comment: 'Super', at: at(22) });
    await s.events.saveFeedback({ eventId: e.id, personId: u1.id, rating: 3, at: at(22) });
    await s.jobs.add([
      { key: `event:${e.id}:reminder:60`, kind: 'event.reminder', ref: `event:${e.id}`, param: 60, dueAt: at(9_940) },
      { key: `event:${e.id}:promoted:${u1.id}`, kind: 'event.promoted', ref: `event:${e.id}`, param: 0, dueAt: at(23), subject: u1.id },
    ]);
    await s.requests.admit('slack:req-1', at(24), at(0));
    await s.requests.done('slack:req-1');
    await s.conversations.record(
      { platform: 'teams', id: '19:abc@thread.tacv2', serviceUrl: 'https://smba.example/', tenantId: 'tenant-1', teamId: '19:team', name: 'Général' },
      at(25),
    );
    await s.instances.beat({ owner: 'old-instance', seenAt: at(26), busy: false, startsAt: null });
  } finally {
    await s.close();
  }
}

/** What a store serves, read through its repositories (ids of ObjectId-keyed things left out). */
async function served(s: SqliteStore | MongoStore) {
  const ideas = await s.ideas.all();
  const events = [...(await s.events.upcoming(T0, 10))];
  return {
    installation: await s.installationId(),
    people: await s.people.all(),
    roles: await s.roles.all(),
    ideas,
    top: (await s.ideas.list({ sort: 'top', limit: 10, offset: 0 })).items.map((i) => i.id),
    byHashtag: (await s.ideas.list({ hashtag: 'accueil', sort: 'recent', limit: 10, offset: 0 })).items.map((i) => i.id),
    supporters: await Promise.all(ideas.map((i) => s.ideas.supporters(i.id))),
    broadcasts: await s.broadcasts.list(10),
    events,
    registrations: await Promise.all(events.map((e) => s.events.registrations(e.id))),
    feedback: await Promise.all(events.map((e) => s.events.feedback(e.id))),
    jobs: (await s.jobs.forRef(`event:${events[0].id}`)).map(({ id: _, ...j }) => j),
    report: await s.outbox.report('b1'),
    nextDue: [await s.outbox.nextDue(), await s.outbox.nextDue('reply')],
    conversation: await s.conversations.get('teams', '19:abc@thread.tacv2'),
  };
}

describe('npm run migrate: arguments and the source (no MongoDB needed)', () => {
  test.each([
    [[], '--to is required'],
    [['--to', 'postgres://x'], 'must be a MongoDB URI'],
    [['--to', 'mongodb://h/db', 'extra'], 'unexpected argument'],
    [['--to', 'mongodb://h/db', '--from', '  '], '--from must name'],
    [['--to'], "Option '--to <value>' argument missing"],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a clear message and the usage (exit 2)', async (argv, message) => {
    const io = captured();
    expect(await runMigrate(argv, {}, io, T0)).toBe(EXIT.usage);
    expect(io.errors.join('\n')).toContain(message);
    expect(io.errors.join('\n')).toContain('Usage: npm run migrate');
  });

  test('--help prints the usage', async () => {
    const io = captured();
    expect(await runMigrate(['--help'], {}, io, T0)).toBe(EXIT.ok);
    expect(io.lines.join('\n')).toContain('--force');
  });

  test('the default source is DATA_DIR, else ./data, as the bot reads it', () => {
    expect(dataDirOf({ DATA_DIR: '/srv/ensemble' })).toBe('/srv/ensemble');
    expect(dataDirOf({ DATA_DIR: '  ' })).toBe('./data');
    expect(dataDirOf({})).toBe('./data');
  });

  test('a missing store is named, and nothing is created there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-migrate-'));
    try {
      const io = captured();
      const code = await runMigrate(['--to', 'mongodb://127.0.0.1:1/none'], { DATA_DIR: path.join(dir, 'data') }, io, T0);
      expect(code).toBe(EXIT.failed);
      expect(io.errors.join('\n')).toContain(`no embedded store at ${path.join(dir, 'data')}`);
      expect(existsSync(path.join(dir, 'data'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

(mongoUri ? describe : describe.skip)('npm run migrate: into MongoDB (needs MONGODB_URI)', () => {
  let dataDir: string;
  const databases: string[] = [];
  const target = () => {
    const name = freshDatabase('ensemble_migrate');
    databases.push(name);
    return uriWithDatabase(mongoUri!, name);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ensemble-migrate-'));
    await fill(dataDir);
  });
  afterAll(async () => {
    for (const name of databases) {
      const s = await MongoStore.connect(mongoUri!, name);
      await s.drop();
      await s.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every table is copied: MongoDB serves what SQLite served, the counts are verified, the numbering continues', async () => {
    const uri = target();
    const io = captured();
    expect(await runMigrate(['--to', uri, '--from', dataDir], {}, io, T0)).toBe(EXIT.ok);
    const out = io.lines.join('\n');
    // progress per table, then the verification
    for (const table of [
      'people',
      'role_assignments',
      'ideas',
      'idea_hashtags',
      'supports',
      'drafts',
      'outbox',
      'outbox_payloads',
      'broadcasts',
      'events',
      'registrations',
      'event_feedback',
      'jobs',
      'requests',
      'store_meta',
      'conversations',
    ])
      expect(out).toMatch(new RegExp(`^ {2}${table} +\\d+ = \\d+ ok$`, 'm'));
    expect(out).toMatch(/^ {2}people +3 rows -> people +3$/m);
    expect(out).toMatch(/^ {2}registrations +3 = 3 ok$/m);
    expect(out).toMatch(/^ {2}idea_hashtags +4 = 4 ok$/m);
    expect(out).toMatch(/^ {2}store_meta +1 = 1 ok$/m); // the installation id; not the health probe
    expect(out).toMatch(/^ {2}counter ideas +4 = 4 ok$/m);
    expect(out).not.toContain('instances');
    expect(out).toContain('Next: set MONGODB_URI=');
    expect(io.errors).toEqual([]);

    const sqlite = SqliteStore.open(dataDir);
    const mongo = await MongoStore.connect(uri);
    try {
      const before = await served(sqlite);
      const after = await served(mongo);
      expect(after).toEqual(before);
      // spot checks of what the comparison covers
      expect(after.registrations[0].map((r) => r.state)).toEqual(['registered', 'waiting', 'waiting']);
      expect(after.events[0]).toMatchObject({ registered: 1, waiting: 2, capacity: 1 });
      expect(after.ideas.find((i) => i.id === 3)).toMatchObject({ mergedInto: 2, supportCount: 0 });
      expect(after.ideas.find((i) => i.id === 4)?.hidden).toMatchObject({ reason: 'hors sujet' });
      expect(after.report).toMatchObject({ targeted: 3, sent: 1, failed: 1, pending: 1 });
      expect(await mongo.instances.live(T0)).toEqual([]); // heartbeats are not copied

      // what the bot does next works on the copy
      const [pending] = await mongo.outbox.claim('new-instance', at(30), 10, 60_000);
      expect(pending).toMatchObject({ key: 'k3', payload: '{"text":"hello"}', state: 'pending' });
      const [reply] = await mongo.outbox.claim('new-instance', at(30), 10, 60_000, 'reply');
      expect(reply).toMatchObject({ key: 'k4', lane: 'reply', payload: '{"text":"ok"}' });
      expect(await mongo.requests.admit('slack:req-1', at(30), at(29))).toBe(false); // a replay is still recognised
      expect(await mongo.people.findByTeamsUserId('29:ana')).toMatchObject({ id: 'teams:tenant-1/aad-1' });
      expect(await mongo.people.findByEmail('camille@exemple.fr')).toHaveLength(1);
      expect(await mongo.ideas.addSupport(1, 'slack:T1/U2', at(30))).toBe(false); // one support per person, still
      const u3 = 'slack:T1/U3';
      expect(await mongo.events.register(after.events[0].id, u3, at(30))).toMatchObject({ state: 'waiting' });
      expect((await mongo.events.unregister(after.events[0].id, 'slack:T1/U2')).promoted).toBe('slack:T1/U1'); // first in line, by id
      const idea = await mongo.ideas.create({
        title: 'Nouvelle',
        description: 'Après la migration',
        axisId: 'usager',
        hashtags: [],
        anonymous: false,
        authorId: u3,
        createdAt: at(31),
      });
      expect(idea.id).toBe(5);
      const event = await mongo.events.create({
        kind: 'off',
        title: 'Après',
        description: '…',
        startsAt: at(30_000),
        endsAt: at(30_060),
        audience: { kind: 'everyone' },
        createdBy: u3,
        createdAt: at(31),
      });
      expect(event.id).toBe(3);
      const b = await mongo.broadcasts.create(
        { message: 'Après', audience: { kind: 'everyone' }, schedule: { kind: 'now' }, createdBy: u3, createdAt: at(31) },
        'draft',
        undefined,
      );
      expect(b.id).toBe(3);
    } finally {
      await sqlite.close();
      await mongo.close();
    }
  });

  test('a non-empty target is refused (nothing written); --force replaces its contents', async () => {
    const uri = target();
    const seeded = await MongoStore.connect(uri);
    await seeded.people.record({ platform: 'slack', tenant: 'T9', user: 'U9' }, T0);
    await seeded.close();

    const io = captured();
    expect(await runMigrate(['--to', uri, '--from', dataDir], {}, io, T0)).toBe(EXIT.failed);
    expect(io.errors.join('\n')).toMatch(/is not empty \(people: 1\).*--force/);
    await expect(migrateToMongo({ from: dataDir, to: uri, now: T0 })).rejects.toBeInstanceOf(TargetNotEmptyError);
    const untouched = await MongoStore.connect(uri);
    expect((await untouched.people.all()).map((p) => p.id)).toEqual(['slack:T9/U9']);
    await untouched.close();

    const forced = captured();
    expect(await runMigrate(['--to', uri, '--from', path.join(dataDir, 'ensemble.db'), '--force'], {}, forced, T0)).toBe(EXIT.ok);
    expect(forced.lines.join('\n')).toContain('--force: the target is not empty (people: 1)');
    const after = await MongoStore.connect(uri);
    expect((await after.people.all()).map((p) => p.id)).toEqual(['slack:T1/U1', 'slack:T1/U2', 'teams:tenant-1/aad-1']);
    await after.close();
  });

  test('a count that does not match fails the run (exit 3) and says which table', async () => {
    // a store whose hashtag table disagrees with its ideas: MongoDB would not find the idea by that hashtag
    const dir = mkdtempSync(path.join(tmpdir(), 'ensemble-migrate-'));
    try {
      const s = SqliteStore.open(dir);
      await s.ideas.create({ title: 'Une idée', description: '…', axisId: 'usager', hashtags: ['accueil'], anonymous: false, authorId: 'slack:T1/U1', createdAt: T0 });
      await s.close();
      const db = new DatabaseSync(path.join(dir, 'ensemble.db'));
      db.exec("INSERT INTO idea_hashtags (hashtag, idea_id) VALUES ('orphelin', 1)");
      db.close();
      const io = captured();
      expect(await runMigrate(['--to', target(), '--from', dir], {}, io, T0)).toBe(EXIT.mismatch);
      expect(io.lines.join('\n')).toMatch(/^ {2}idea_hashtags +2 = 1 MISMATCH$/m);
      expect(io.errors.join('\n')).toContain('Verification FAILED: idea_hashtags 2 -> 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
