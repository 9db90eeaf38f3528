import type { NewOutboxMessage } from '../../src/domain/delivery';
import type { Store } from '../../src/domain/ports';
import { DEFAULT_PREFERENCES } from '../../src/domain/preferences';
import { DEFAULT_RETENTION, type ErasureRequest } from '../../src/domain/privacy';
import { dumpStore } from '../support/dump';
import type { StoreFactory } from './store-contract';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const X = 'slack:T1/UERASE9X7';
const Y = 'slack:T1/UKEEP5Y3';
const NAME = 'Honorine Vasseur';
const EMAIL = 'honorine.vasseur@exemple.fr';

function message(key: string, target: NewOutboxMessage['target'], payload: string, over: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return { key, source: `test:${key}`, platform: 'slack', target, payload, dueAt: T0, ...over };
}

/** Puts person X (and, beside them, person Y) in every part of the store, through the port. */
async function populate(store: Store) {
  await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UERASE9X7', displayName: NAME, email: EMAIL }, T0);
  await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UKEEP5Y3', displayName: 'Yves Honoré', email: 'yves@exemple.fr' }, T0);
  await store.preferences.save(X, { ...DEFAULT_PREFERENCES }, T0);
  await store.follows.follow(X, 'usager', T0);
  await store.roles.save({ subject: X, role: 'pilote', axisId: 'usager', active: true, by: Y, at: T0 });
  await store.roles.save({ subject: EMAIL, role: 'organisateur', active: true, by: Y, at: T0 });
  const own = await store.ideas.create({ title: 'Une idée', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: false, authorId: X, createdAt: T0 });
  const hidden = await store.ideas.create({ title: 'Anonyme', description: 'Texte', axisId: 'usager', hashtags: [], anonymous: true, authorId: X, createdAt: T0 });
  const other = await store.ideas.create({
    title: 'Idée de Yves',
    description: `Avec ${NAME} et les Vasseurs de Honorine-ville`,
    axisId: 'usager',
    hashtags: [],
    anonymous: false,
    authorId: Y,
    createdAt: T0,
  });
  await store.ideas.addSupport(other.id, X, T0);
  await store.ideas.addSupport(other.id, Y, T0);
  const event = await store.events.create({
    kind: 'creer',
    title: 'Atelier',
    description: '',
    startsAt: at(-10 * DAY),
    endsAt: at(-10 * DAY + 3_600_000),
    capacity: 10,
    audience: { kind: 'everyone' },
    createdBy: X,
    createdAt: T0,
  });
  await store.events.register(event.id, X, T0);
  await store.events.saveFeedback({ eventId: event.id, personId: X, rating: 4, comment: 'Très bien', at: T0 });
  await store.outbox.enqueue(
    [
      message('pending-x', { kind: 'person', personId: X }, JSON.stringify({ text: `Bonjour ${NAME}` }), { dueAt: at(DAY) }),
      message(`about:${X}`, { kind: 'person', personId: Y }, JSON.stringify({ text: `${NAME} soutient votre idée (<@UERASE9X7>)` })),
      message('pending-y', { kind: 'person', personId: Y }, JSON.stringify({ text: 'Rien sur personne' })),
    ],
    T0,
  );
  await store.jobs.add([{ key: `job:${X}`, kind: 'event.promoted', ref: `event:${event.id}`, param: 0, dueAt: at(DAY), subject: X }]);
  await store.drafts.save(X, JSON.stringify({ text: 'brouillon' }), T0);
  await store.broadcasts.create({ message: 'Diffusion', audience: { kind: 'everyone' }, schedule: { kind: 'now' }, createdBy: X, createdAt: T0 }, 'draft', undefined);
  const update = await store.axisUpdates.create({ axisId: 'usager', authorId: X, status: 'on_track', done: 'Fait', next: 'Suite', createdAt: T0, reachedFollowers: true });
  await store.axisUpdates.react(update.id, X, T0);
  await store.axisUpdates.ask(update.id, X, 'Une question ?', T0);
  // a table added after the privacy pass was written (communities): covered without being named
  await store.communities.seed([{ id: 'accueil', name: 'Groupe « Accueil »', kind: 'groupe_progres', description: 'Résoudre ensemble.', problem: 'Attente', createdBy: Y }], T0);
  await store.communities.join('accueil', X, T0);
  await store.audit.append({ at: T0, actor: X, action: 'idea.hide', subject: 'idea:1' });
  await store.audit.append({ at: T0, actor: Y, action: 'role.grant', subject: `email:${EMAIL}`, detail: { role: 'organisateur' } });
  await store.communities.setStage('accueil', 'analyse', 'pistes', X, T0);
  return { own, hidden, other, event };
}

/** « Mes données » and erasure over the whole store, and the retention of what it keeps: through the port, read back raw. */
export function privacyContract(factory: StoreFactory): void {
  let store: Store;
  beforeEach(async () => {
    store = await factory.open();
  });
  afterEach(async () => {
    await factory.dispose(store);
  });

  const request = (over: Partial<ErasureRequest> = {}): ErasureRequest => ({
    personId: X,
    pseudonym: 'erased:0f3c9a',
    identifying: [NAME, EMAIL, 'UERASE9X7'],
    replacement: 'Agent anonyme',
    ideas: 'anonymise',
    ...over,
  });

  test("a person's data lists every part of the store that mentions them, outbox rows with their payload", async () => {
    await populate(store);
    const data = await store.privacy.dataOf(X, [EMAIL, 'UERASE9X7']);
    const tables = Object.keys(data);
    for (const t of [
      'people',
      'preferences',
      'axis_follows',
      'role_assignments',
      'ideas',
      'supports',
      'registrations',
      'event_feedback',
      'outbox',
      'jobs',
      'drafts',
      'broadcasts',
      'axis_updates',
      'axis_update_reactions',
      'axis_update_questions',
    ])
      expect(tables).toContain(t);
    // the membership and the stage change, in tables the privacy pass does not name
    expect(tables).toEqual(expect.arrayContaining(['community_members', 'community_stages']));
    expect(data.ideas).toHaveLength(2); // the anonymous one too
    expect(data.role_assignments).toHaveLength(2); // by id and by e-mail
    const payloads = data.outbox.map((r) => String(r.payload));
    expect(payloads.some((p) => p.includes(`Bonjour ${NAME}`))).toBe(true);
    expect(payloads.some((p) => p.includes('<@UERASE9X7>'))).toBe(true);
    expect(payloads.some((p) => p.includes('Rien sur personne'))).toBe(false); // Y's own message is not X's data
    expect(JSON.stringify(data)).not.toContain('yves@exemple.fr');
  });

  test('erasure leaves no name, e-mail or platform id anywhere; supports stay counted, ideas credited to the pseudonym', async () => {
    const { own, hidden, other } = await populate(store);
    const report = await store.privacy.erase(request());
    expect(report.people).toBe(1);
    expect(report['outbox.cancelled']).toBe(1);
    expect(report['jobs.cancelled']).toBe(1);

    const raw = await dumpStore(store);
    for (const word of [X, 'UERASE9X7', NAME, EMAIL, 'honorine.vasseur']) expect(raw).not.toContain(word);
    expect(raw).toContain('erased:0f3c9a');
    // whole words only: Y's text keeps « les Vasseurs de Honorine-ville »
    expect((await store.ideas.get(other.id))!.description).toBe('Avec Agent anonyme et les Vasseurs de Honorine-ville');
    expect(await store.people.get(X)).toBeNull();
    expect((await store.people.get(Y))!.displayName).toBe('Yves Honoré');
    expect((await store.ideas.get(own.id))!.authorId).toBe('erased:0f3c9a');
    expect((await store.ideas.get(hidden.id))!.authorId).toBe('erased:0f3c9a');
    expect((await store.ideas.get(other.id))!.supportCount).toBe(2);
    expect(new Set(await store.ideas.supporters(other.id))).toEqual(new Set(['erased:0f3c9a', Y]));
    expect(await store.follows.axesOf(X)).toEqual([]);
    expect(await store.preferences.get(X)).toBeNull();
    expect(await store.roles.forSubjects([X, EMAIL])).toEqual([]);
    // the pending message to X is cancelled, the one to Y still goes
    expect((await store.outbox.report('test:pending-x')).cancelled).toBe(1);
    const claimed = await store.outbox.claim('w', at(2 * DAY), 10, 60_000);
    expect(claimed.map((m) => m.key).sort()).toEqual(['about:erased:0f3c9a', 'pending-y']);
    expect(claimed.find((m) => m.key === 'pending-y')!.payload).toContain('Rien sur personne');
    expect(claimed.find((m) => m.key.startsWith('about:'))!.payload).toBe(JSON.stringify({ text: 'Agent anonyme soutient votre idée (<@Agent anonyme>)' }));
    expect(await store.jobs.claimDue('w', at(2 * DAY), 60_000)).toBeNull();
    // nothing left to find
    expect(await store.privacy.dataOf(X, [EMAIL, 'UERASE9X7'])).toEqual({});
  });

  test('erasure may delete the ideas instead (programme setting), and leaves the others as they were', async () => {
    const { own, hidden, other } = await populate(store);
    const report = await store.privacy.erase(request({ ideas: 'delete' }));
    expect(report['ideas.deleted']).toBe(2);
    expect(await store.ideas.get(own.id)).toBeNull();
    expect(await store.ideas.get(hidden.id)).toBeNull();
    expect((await store.ideas.get(other.id))!.supportCount).toBe(2);
    const raw = await dumpStore(store);
    for (const word of [X, NAME, EMAIL]) expect(raw).not.toContain(word);
  });

  test('an erasure run twice changes nothing the second time', async () => {
    await populate(store);
    await store.privacy.erase(request());
    const before = await dumpStore(store);
    expect(await store.privacy.erase(request())).toEqual({});
    expect(await dumpStore(store)).toBe(before);
  });

  test('other people keep their names and e-mails: whole words only, not a part of « Jean-Paul Martin » or of jp.martin@…; homonyms kept', async () => {
    const x = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UPAUL123', displayName: 'Paul Martin', email: 'martin@ville.fr' }, T0);
    const jp = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UJEANP12', displayName: 'Jean-Paul Martin', email: 'jp.martin@ville.fr' }, T0);
    const twin = await store.people.record({ platform: 'teams', tenant: 'tid', user: 'aad-twin-2', displayName: 'Paul Martin', email: 'paul.martin2@ville.fr' }, T0);
    await store.roles.save({ subject: 'jp.martin@ville.fr', role: 'organisateur', active: true, by: x.id, at: T0 });
    const idea = await store.ideas.create({
      title: 'Idée',
      description: 'Avec Paul Martin. Et Jean-Paul Martin, jp.martin@ville.fr, martin@ville.fr.',
      axisId: 'usager',
      hashtags: [],
      anonymous: false,
      authorId: jp.id,
      createdAt: T0,
    });
    await store.privacy.erase(request({ personId: x.id, identifying: ['Paul Martin', 'martin@ville.fr', 'UPAUL123'] }));
    expect((await store.people.get(jp.id))!).toMatchObject({ displayName: 'Jean-Paul Martin', email: 'jp.martin@ville.fr' });
    expect((await store.people.get(twin.id))!.displayName).toBe('Paul Martin');
    expect(await store.roles.forSubjects(['jp.martin@ville.fr'])).toHaveLength(1);
    expect((await store.ideas.get(idea.id))!.description).toBe('Avec Agent anonyme. Et Jean-Paul Martin, jp.martin@ville.fr, Agent anonyme.');
  });

  test('a name that starts with an accented capital is found in any case', async () => {
    const x = await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UELO1234', displayName: 'Élodie Martin' }, T0);
    const idea = await store.ideas.create({
      title: 'Idée',
      description: 'Proposée avec Élodie Martin, ÉLODIE MARTIN et HÉLÈNE VASSEUR',
      axisId: 'usager',
      hashtags: [],
      anonymous: false,
      authorId: Y,
      createdAt: T0,
    });
    await store.privacy.erase(request({ personId: x.id, identifying: ['Élodie Martin', 'UELO1234'] }));
    expect((await store.ideas.get(idea.id))!.description).toBe('Proposée avec Agent anonyme, Agent anonyme et HÉLÈNE VASSEUR');
    await store.privacy.erase(request({ personId: 'slack:T1/UHEL0001', identifying: ['Hélène Vasseur'] }));
    expect((await store.ideas.get(idea.id))!.description).toBe('Proposée avec Agent anonyme, Agent anonyme et Agent anonyme');
  });

  test("a name or an e-mail right after a JSON escape (a card's line break) or inside Slack italics is found", async () => {
    const card = (text: string) => JSON.stringify({ kind: 'card', card: { fallbackText: 'x', elements: [{ type: 'text', text }] } });
    await store.outbox.enqueue(
      [
        message('k1', { kind: 'person', personId: Y }, card(`**Fait**\n${NAME} a animé`)),
        message('k2', { kind: 'person', personId: Y }, card(`_Contact : ${EMAIL}_`)),
        message('k3', { kind: 'person', personId: Y }, card('Question de <@UERASE9X7>\n<@UERASE9X7>')),
      ],
      T0,
    );
    await store.privacy.erase(request());
    const raw = await dumpStore(store);
    for (const word of [NAME, EMAIL, 'UERASE9X7']) expect(raw).not.toContain(word);
    expect(raw).toContain('_Contact : Agent anonyme_');
  });

  test('files delivered lose their content (base64 the scrub cannot read); the rows stay for the counts', async () => {
    await populate(store);
    const file = (name: string) => JSON.stringify({ kind: 'file', file: { name, mime: 'text/csv', base64: Buffer.from(`nom\n${NAME}`).toString('base64'), comment: '' } });
    await store.outbox.enqueue(
      [
        message('file-to-x', { kind: 'person', personId: X }, file('a.csv'), { source: 'files' }),
        message('file-to-y', { kind: 'person', personId: Y }, file('b.csv'), { source: 'files' }),
        message('file-pending', { kind: 'person', personId: Y }, file('c.csv'), { source: 'files', dueAt: at(DAY) }),
        message('file-failed', { kind: 'person', personId: Y }, file('d.csv'), { source: 'files' }),
      ],
      T0,
    );
    for (const m of (await store.outbox.claim('w', T0, 100, 60_000)).filter((m) => m.source === 'files'))
      if (m.key === 'file-failed') await store.outbox.markFailed(m.id, 'w', { reason: 'file_upload_failed', permanent: true });
      else await store.outbox.markSent(m.id, 'w', T0);
    await store.privacy.erase(request());
    const raw = await dumpStore(store);
    const decoded = [...raw.matchAll(/\\?"base64\\?":\\?"([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
    // the pending file to Y waits to be sent (it goes within seconds); the delivered and the failed ones are gone
    expect(decoded.split(NAME).length - 1).toBe(1);
    expect(await store.outbox.report('files')).toMatchObject({ targeted: 4, sent: 2, failed: 1, pending: 1 });
    // the retention pass does it every day for every file delivered
    const y2 = await store.outbox.claim('w2', at(2 * DAY), 100, 60_000);
    for (const m of y2.filter((m) => m.source === 'files')) await store.outbox.markSent(m.id, 'w2', at(2 * DAY));
    expect((await store.privacy.purge(at(2 * DAY), DEFAULT_RETENTION)).deliveredFiles).toBe(1);
    expect(await dumpStore(store)).not.toContain('"base64"');
  });

  test('inactive people: those last seen before the date, least recently seen first', async () => {
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UOLD1', displayName: 'Ancien' }, at(-800 * DAY));
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UOLD2', displayName: 'Plus ancien' }, at(-900 * DAY));
    await store.people.record({ platform: 'slack', tenant: 'T1', user: 'UNEW', displayName: 'Récent' }, at(-10 * DAY));
    expect((await store.privacy.inactive(at(-730 * DAY), 10)).map((p) => p.displayName)).toEqual(['Plus ancien', 'Ancien']);
    const [first] = await store.privacy.inactive(at(-730 * DAY), 1);
    expect(first.displayName).toBe('Plus ancien');
    // the next page starts after the last one read
    expect((await store.privacy.inactive(at(-730 * DAY), 10, first)).map((p) => p.displayName)).toEqual(['Ancien']);
  });

  test('retention: delivered messages, request records, old feedback comments and drafts go; the rest stays', async () => {
    const old = at(-100 * DAY);
    await store.outbox.enqueue(
      [message('old-sent', { kind: 'person', personId: Y }, '{"a":1}', { dueAt: old }), message('old-pending', { kind: 'person', personId: Y }, '{"b":2}', { dueAt: old })],
      old,
    );
    const [sent] = (await store.outbox.claim('w', old, 10, 60_000)).filter((m) => m.key === 'old-sent');
    await store.outbox.markSent(sent.id, 'w', old);
    await store.outbox.enqueue([message('new-sent', { kind: 'person', personId: Y }, '{"a":1}')], T0);
    await store.requests.admit('old-request', old, old);
    await store.requests.admit('new-request', T0, T0);
    const past = await store.events.create({
      kind: 'creer',
      title: 'Vieux',
      description: '',
      startsAt: at(-400 * DAY),
      endsAt: at(-400 * DAY + 3_600_000),
      capacity: 10,
      audience: { kind: 'everyone' },
      createdBy: Y,
      createdAt: old,
    });
    const recent = await store.events.create({ ...past, title: 'Récent', startsAt: at(-20 * DAY), endsAt: at(-20 * DAY + 3_600_000) });
    await store.events.saveFeedback({ eventId: past.id, personId: Y, rating: 5, comment: 'Ancien commentaire', at: old });
    await store.events.saveFeedback({ eventId: recent.id, personId: Y, rating: 3, comment: 'Récent', at: T0 });
    const stale = await store.drafts.save(Y, 'vieux', at(-8 * DAY));
    const fresh = await store.drafts.save(Y, 'frais', T0);

    const report = await store.privacy.purge(T0, DEFAULT_RETENTION);
    // (a MongoDB store may have removed the old draft already: its drafts expire by themselves)
    expect(report).toMatchObject({ deliveredMessages: 1, requestRecords: 1, feedbackComments: 1 });
    expect(await store.drafts.take(stale, Y)).toBeNull();
    expect((await store.outbox.report('test:old-sent')).targeted).toBe(0);
    expect((await store.outbox.report('test:old-pending')).pending).toBe(1);
    expect((await store.outbox.report('test:new-sent')).pending).toBe(1);
    expect((await store.events.feedback(past.id))[0]).toMatchObject({ rating: 5 });
    expect((await store.events.feedback(past.id))[0].comment).toBeUndefined();
    expect((await store.events.feedback(recent.id))[0].comment).toBe('Récent');
    expect(await store.drafts.take(fresh, Y)).toBe('frais');
    // the payload shared with a message still kept is kept
    const left = await store.outbox.claim('w2', T0, 10, 60_000);
    expect(left.find((m) => m.key === 'new-sent')!.payload).toBe('{"a":1}');
    expect(await store.privacy.purge(T0, DEFAULT_RETENTION)).toMatchObject({ deliveredMessages: 0, requestRecords: 0, feedbackComments: 0, drafts: 0 });
  });
}
