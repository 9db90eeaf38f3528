import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProgramme } from '../../src/config/programme';
import { hashtagsIn, titleAndDescription, type IdeaInput } from '../../src/domain/ideas';
import { IdeasService } from '../../src/domain/ideas-service';
import { PeopleService, type Actor } from '../../src/domain/people-service';
import type { Clock } from '../../src/domain/ports';
import type { Programme } from '../../src/domain/programme';
import { SqliteStore } from '../../src/store/sqlite';
import { refused } from '../support/domain';

const NOW = new Date('2026-03-10T08:30:00Z');
const clock: Clock = { now: () => new Date(NOW) };

function testProgramme(): Programme {
  const programme = structuredClone(loadProgramme(undefined));
  programme.axes.find((a) => a.id === 'usager')!.pilots = ['slack:T1/UP'];
  programme.axes.find((a) => a.id === 'transitions')!.pilots = ['slack:T1/UQ'];
  programme.organisers = ['slack:T1/UO'];
  return programme;
}

let dir: string;
let store: SqliteStore;
let programme: Programme;
let people: PeopleService;
let ideas: IdeasService;
/** Agents. */
let a: Actor;
let b: Actor;
let c: Actor;
/** Pilot of "usager", pilot of "transitions", organiser. */
let pilot: Actor;
let otherPilot: Actor;
let organiser: Actor;

const actor = (user: string, displayName: string) => people.contact({ platform: 'slack', tenant: 'T1', user, displayName });

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ensemble-ideas-'));
  store = SqliteStore.open(dir);
  programme = testProgramme();
  people = new PeopleService(store, programme, clock);
  ideas = new IdeasService(store, programme, clock);
  a = await actor('UA', 'A');
  b = await actor('UB', 'B');
  c = await actor('UC', 'C');
  pilot = await actor('UP', 'Pilote');
  otherPilot = await actor('UQ', 'Autre pilote');
  organiser = await actor('UO', 'Orga');
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const idea = (who: Actor, over: Partial<IdeaInput> = {}) => ideas.propose(who, { title: 'Un guichet unique', description: 'Pour toutes les démarches', axis: 'usager', ...over });

test('the test actors hold the roles the programme gives them', () => {
  expect(a.roles).toEqual([]);
  expect(pilot.roles).toEqual([{ role: 'pilote', axisId: 'usager' }]);
  expect(otherPilot.roles).toEqual([{ role: 'pilote', axisId: 'transitions' }]);
  expect(organiser.roles).toEqual([{ role: 'organisateur' }]);
});

describe('propose', () => {
  test('stores a valid idea with its author, axis, normalised hashtags and the clock time', async () => {
    const got = await ideas.propose(a, {
      title: '  Un guichet unique  ',
      description: '  Pour tout  ',
      axis: 'usager',
      hashtags: ['#Accueil', 'sobriété', 'ACCUEIL'],
      anonymous: true,
    });
    expect(got).toMatchObject({
      id: 1,
      title: 'Un guichet unique',
      description: 'Pour tout',
      axisId: 'usager',
      hashtags: ['accueil', 'sobriété'],
      anonymous: true,
      authorId: 'slack:T1/UA',
      status: 'proposee',
      supportCount: 0,
    });
    expect(got.createdAt.toISOString()).toBe(NOW.toISOString());
    expect(await store.ideas.get(got.id)).toEqual(got);

    const plain = await ideas.propose(b, { title: 'Sans rien', axis: 'usager' });
    expect(plain).toMatchObject({ description: '', hashtags: [], anonymous: false, authorId: 'slack:T1/UB' });
  });

  test('the axis may be given by number or by one of its hashtags', async () => {
    expect((await idea(a, { axis: '3' })).axisId).toBe('usager');
    expect((await idea(a, { axis: '#accueil' })).axisId).toBe('usager');
    expect((await idea(a, { axis: 'Accueil' })).axisId).toBe('usager');
    expect((await idea(a, { axis: ' transitions ' })).axisId).toBe('transitions');
    expect((await idea(a, { axis: '1' })).axisId).toBe('transitions');
  });

  test('refuses invalid input, and stores nothing', async () => {
    await idea(a); // one valid idea, to check nothing else is added
    const cases: Array<[Partial<IdeaInput> | Record<string, unknown>, string]> = [
      [{ title: '' }, 'idea.title.empty'],
      [{ title: '    ' }, 'idea.title.empty'],
      [{ title: 'x'.repeat(121) }, 'idea.title.tooLong'],
      [{ description: 'x'.repeat(2001) }, 'idea.description.tooLong'],
      [{ axis: 'inconnu' }, 'axis.unknown'],
      [{ axis: '9' }, 'axis.unknown'],
      [{ axis: '' }, 'idea.axis.missing'],
      [{ hashtags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }, 'idea.hashtags.tooMany'],
      [{ hashtags: ['pas un hashtag'] }, 'idea.hashtags.invalid'],
      [{ title: { $ne: null } }, 'idea.title.invalid'],
      [{ description: { $gt: '' } }, 'idea.description.invalid'],
      [{ axis: { $ne: null } }, 'idea.axis.invalid'],
    ];
    for (const [over, code] of cases) {
      await refused(idea(a, over as Partial<IdeaInput>), code);
    }
    await refused(ideas.propose(a, null as unknown as IdeaInput), 'idea.input.invalid');
    expect(await store.ideas.all()).toHaveLength(1);
  });

  test('limits are inclusive: 120-character title, 2000-character description, 10 hashtags', async () => {
    const got = await idea(a, {
      title: 't'.repeat(120),
      description: 'd'.repeat(2000),
      hashtags: Array.from({ length: 10 }, (_, i) => `tag${i}`),
    });
    expect(got.title).toHaveLength(120);
    expect(got.description).toHaveLength(2000);
    expect(got.hashtags).toHaveLength(10);
  });

  test('refusals say which limit applies and which axes exist', async () => {
    await refused(idea(a, { title: 'x'.repeat(121) }), 'idea.title.tooLong', { max: 120 });
    await refused(idea(a, { description: 'x'.repeat(2001) }), 'idea.description.tooLong', { max: 2000 });
    const err = await refused(idea(a, { axis: 'inconnu' }), 'axis.unknown', { axis: 'inconnu' });
    expect(String(err.params.axes)).toContain('usager');
  });
});

describe('supports', () => {
  test('support, then withdraw', async () => {
    const i = await idea(a);
    const on = await ideas.support(b, i.id);
    expect(on.added).toBe(true);
    expect(on.idea.supportCount).toBe(1);
    expect(await ideas.supports(b, i.id)).toBe(true);

    const on2 = await ideas.support(c, i.id);
    expect(on2.idea.supportCount).toBe(2);

    const off = await ideas.withdraw(b, i.id);
    expect(off.removed).toBe(true);
    expect(off.idea.supportCount).toBe(1);
    expect(await ideas.supports(b, i.id)).toBe(false);
    expect(await store.ideas.supporters(i.id)).toEqual(['slack:T1/UC']);
  });

  test('support and withdraw are idempotent', async () => {
    const i = await idea(a);
    expect(await ideas.support(b, i.id)).toMatchObject({ added: true, idea: { supportCount: 1 } });
    expect(await ideas.support(b, i.id)).toMatchObject({ added: false, idea: { supportCount: 1 } });
    expect(await ideas.withdraw(b, i.id)).toMatchObject({ removed: true, idea: { supportCount: 0 } });
    expect(await ideas.withdraw(b, i.id)).toMatchObject({ removed: false, idea: { supportCount: 0 } });
  });

  test('a hidden, merged or missing idea cannot be supported', async () => {
    const hidden = await idea(a, { title: 'masquée' });
    const from = await idea(a, { title: 'doublon' });
    const into = await idea(a, { title: 'original' });
    await ideas.hide(pilot, hidden.id, 'hors sujet');
    await ideas.merge(pilot, from.id, into.id);

    await refused(ideas.support(b, hidden.id), 'idea.hidden', { id: hidden.id });
    await refused(ideas.support(b, from.id), 'idea.merged', { id: from.id, into: into.id });
    await refused(ideas.support(b, from.id), 'idea.merged', { into: into.id });
    await refused(ideas.support(b, 999), 'idea.notFound', { id: 999 });
    await refused(ideas.support(b, 0), 'idea.notFound');
    await refused(ideas.support(b, Number.NaN), 'idea.notFound');
    await refused(ideas.support(b, -1), 'idea.notFound');
    await refused(ideas.support(b, 1.5), 'idea.notFound');
    expect(await store.ideas.supporters(hidden.id)).toEqual([]);
    expect(await store.ideas.supporters(from.id)).toEqual([]);
    expect((await store.ideas.get(hidden.id))!.supportCount).toBe(0);
  });
});

describe('answers (status changes)', () => {
  test('only the pilots of the idea’s axis and the organisers may answer', async () => {
    const i = await idea(a);
    await refused(ideas.answer(b, i.id, 'a_l_etude', 'Nous regardons'), 'idea.notPilot');
    await refused(ideas.answer(a, i.id, 'retenue'), 'idea.notPilot'); // not even its author
    await refused(ideas.answer(otherPilot, i.id, 'retenue'), 'idea.notPilot'); // a pilot of another axis
    expect((await store.ideas.get(i.id))!.status).toBe('proposee');

    const byPilot = await ideas.answer(pilot, i.id, 'a_l_etude', '  Nous regardons  ');
    expect(byPilot.previous).toBe('proposee');
    expect(byPilot.idea).toMatchObject({ status: 'a_l_etude', answer: 'Nous regardons', answeredBy: 'slack:T1/UP' });
    expect(byPilot.idea.answeredAt?.toISOString()).toBe(NOW.toISOString());

    const byOrganiser = await ideas.answer(organiser, i.id, 'retenue', 'Adoptée');
    expect(byOrganiser.previous).toBe('a_l_etude');
    expect(byOrganiser.idea).toMatchObject({ status: 'retenue', answer: 'Adoptée', answeredBy: 'slack:T1/UO' });

    // the pilot of the other axis may answer ideas of their own axis
    const t = await idea(b, { axis: 'transitions' });
    expect((await ideas.answer(otherPilot, t.id, 'en_test')).idea.status).toBe('en_test');
    await refused(ideas.answer(pilot, t.id, 'realisee'), 'idea.notPilot');
  });

  test('“non retenue” needs an answer; the same status with the same answer is refused', async () => {
    const i = await idea(a);
    await refused(ideas.answer(pilot, i.id, 'non_retenue'), 'idea.answer.required');
    await refused(ideas.answer(pilot, i.id, 'non_retenue', '   '), 'idea.answer.required');
    await refused(ideas.answer(pilot, i.id, 'proposee'), 'idea.sameStatus');
    await refused(ideas.answer(pilot, i.id, 'a_l_etude', 'x'.repeat(2001)), 'idea.answer.tooLong', { max: 2000 });
    expect((await store.ideas.get(i.id))!.status).toBe('proposee');

    await ideas.answer(pilot, i.id, 'non_retenue', 'Déjà fait ailleurs');
    await refused(ideas.answer(pilot, i.id, 'non_retenue', 'Déjà fait ailleurs'), 'idea.sameStatus');
    // the same status with a new answer is an update
    const updated = await ideas.answer(pilot, i.id, 'non_retenue', 'Déjà fait au service voisin');
    expect(updated.idea.answer).toBe('Déjà fait au service voisin');
    expect(updated.previous).toBe('non_retenue');
  });

  test('a hidden or merged idea cannot be answered', async () => {
    const i = await idea(a);
    const j = await idea(a);
    await ideas.hide(pilot, i.id, 'hors sujet');
    await refused(ideas.answer(pilot, i.id, 'retenue'), 'idea.hidden');
    const k = await idea(a);
    await ideas.merge(pilot, k.id, j.id);
    await refused(ideas.answer(organiser, k.id, 'retenue'), 'idea.merged');
  });
});

describe('moderation', () => {
  test('hide needs a reason and a pilot of the axis or an organiser; the idea then leaves every list', async () => {
    const i = await idea(a);
    const other = await idea(a, { title: 'autre' });
    await refused(ideas.hide(pilot, i.id, ''), 'idea.reason.required');
    await refused(ideas.hide(pilot, i.id, '   '), 'idea.reason.required');
    await refused(ideas.hide(pilot, i.id, 'x'.repeat(501)), 'idea.reason.tooLong', { max: 500 });
    await refused(ideas.hide(b, i.id, 'spam'), 'idea.notPilot');
    await refused(ideas.hide(otherPilot, i.id, 'spam'), 'idea.notPilot');
    expect((await ideas.list(b, { kind: 'recent' }, 1)).total).toBe(2);

    const hidden = await ideas.hide(pilot, i.id, '  Propos déplacés  ');
    expect(hidden.hidden).toEqual({ reason: 'Propos déplacés', by: 'slack:T1/UP', at: NOW });
    const listed = await ideas.list(b, { kind: 'recent' }, 1);
    expect(listed.items.map((x) => x.id)).toEqual([other.id]);
    expect(listed.total).toBe(1);
    expect((await ideas.list(a, { kind: 'mine' }, 1)).items.map((x) => x.id)).toEqual([other.id]);
    await refused(ideas.hide(organiser, i.id, 'encore'), 'idea.hidden');
    // still exported
    expect((await ideas.exportAll(organiser)).map((x) => x.id)).toEqual([i.id, other.id]);
  });

  test('merge refuses an idea into itself and needs rights on both ideas', async () => {
    const i = await idea(a);
    const t = await idea(a, { axis: 'transitions' });
    await refused(ideas.merge(pilot, i.id, i.id), 'idea.mergeSelf');
    await refused(ideas.merge(b, i.id, t.id), 'idea.notPilot');
    // the pilot of "usager" has no say on an idea of "transitions"
    await refused(ideas.merge(pilot, i.id, t.id), 'idea.notPilot');
    await refused(ideas.merge(pilot, i.id, 999), 'idea.notFound');
    expect((await store.ideas.get(i.id))!.mergedInto).toBeUndefined();
    // an organiser may merge across axes
    const r = await ideas.merge(organiser, i.id, t.id);
    expect(r.from.mergedInto).toBe(t.id);
  });

  test('merge moves the supports and counts a person who supported both once', async () => {
    const from = await idea(a, { title: 'doublon' });
    const into = await idea(b, { title: 'original' });
    await ideas.support(a, from.id);
    await ideas.support(b, from.id);
    await ideas.support(b, into.id);
    await ideas.support(c, into.id);

    const r = await ideas.merge(pilot, from.id, into.id);
    expect(r.into.supportCount).toBe(3);
    expect(r.from.supportCount).toBe(0);
    expect(r.from.mergedInto).toBe(into.id);
    expect([...(await store.ideas.supporters(into.id))].sort()).toEqual(['slack:T1/UA', 'slack:T1/UB', 'slack:T1/UC']);
    const listed = await ideas.list(c, { kind: 'top' }, 1);
    expect(listed.items.map((x) => x.id)).toEqual([into.id]);
    await refused(ideas.merge(pilot, from.id, into.id), 'idea.merged');
  });

  test('only organisers export, and the export includes hidden and merged ideas', async () => {
    const i = await idea(a);
    const j = await idea(a);
    const k = await idea(a);
    await ideas.hide(pilot, i.id, 'motif');
    await ideas.merge(pilot, j.id, k.id);
    await refused(ideas.exportAll(a), 'idea.organiserOnly');
    await refused(ideas.exportAll(pilot), 'idea.organiserOnly');
    const all = await ideas.exportAll(organiser);
    expect(all.map((x) => x.id)).toEqual([i.id, j.id, k.id]);
  });

  test('canModerate: organisers everywhere, pilots on their axis only', () => {
    expect(ideas.canModerate(organiser, { axisId: 'equipe' })).toBe(true);
    expect(ideas.canModerate(pilot, { axisId: 'usager' })).toBe(true);
    expect(ideas.canModerate(pilot, { axisId: 'transitions' })).toBe(false);
    expect(ideas.canModerate(a, { axisId: 'usager' })).toBe(false);
  });
});

describe('lists', () => {
  test('filters: top, recent, mine, axis and hashtag, with the viewer’s supports', async () => {
    const i1 = await idea(a, { title: 'i1', hashtags: ['accueil'] });
    const i2 = await idea(b, { title: 'i2', axis: 'transitions', hashtags: ['sobriété'] });
    const i3 = await idea(a, { title: 'i3', hashtags: ['sobriété', 'accueil'] });
    const i4 = await idea(c, { title: 'i4', axis: 'equipe' });
    await ideas.support(b, i2.id);
    await ideas.support(c, i2.id);
    await ideas.support(b, i1.id);
    await ideas.support(c, i4.id);

    const top = await ideas.list(b, { kind: 'top' }, 1);
    expect(top.items.map((x) => x.id)).toEqual([i2.id, i4.id, i1.id, i3.id]);
    expect(top).toMatchObject({ total: 4, page: 1, pages: 1, filter: { kind: 'top' } });
    expect([...top.supported].sort()).toEqual([i1.id, i2.id]);

    const recent = await ideas.list(c, { kind: 'recent' }, 1);
    expect(recent.items.map((x) => x.id)).toEqual([i4.id, i3.id, i2.id, i1.id]);
    expect([...recent.supported].sort()).toEqual([i2.id, i4.id]);
    expect((await ideas.list(a, { kind: 'recent' }, 1)).supported.size).toBe(0);

    expect((await ideas.list(a, { kind: 'mine' }, 1)).items.map((x) => x.id)).toEqual([i3.id, i1.id]);
    expect((await ideas.list(b, { kind: 'mine' }, 1)).items.map((x) => x.id)).toEqual([i2.id]);
    expect((await ideas.list(a, { kind: 'axis', axisId: 'usager' }, 1)).items.map((x) => x.id)).toEqual([i1.id, i3.id]);
    expect(await ideas.list(a, { kind: 'axis', axisId: 'territoires' }, 1)).toMatchObject({ items: [], total: 0, pages: 1 });
    expect((await ideas.list(a, { kind: 'hashtag', hashtag: 'accueil' }, 1)).items.map((x) => x.id)).toEqual([i1.id, i3.id]);
    expect((await ideas.list(a, { kind: 'hashtag', hashtag: 'SOBRIÉTÉ' }, 1)).items.map((x) => x.id)).toEqual([i2.id, i3.id]);
    expect((await ideas.list(a, { kind: 'hashtag', hashtag: '{"$ne":null}' }, 1)).total).toBe(0);
  });

  test('pages of 10, with the number of pages', async () => {
    for (let n = 1; n <= 23; n++) await idea(a, { title: `idée ${n}` });
    const p1 = await ideas.list(b, { kind: 'recent' }, 1);
    expect(p1.items.map((x) => x.title)).toEqual(Array.from({ length: 10 }, (_, i) => `idée ${23 - i}`));
    expect(p1).toMatchObject({ total: 23, page: 1, pages: 3 });
    const p3 = await ideas.list(b, { kind: 'recent' }, 3);
    expect(p3.items.map((x) => x.title)).toEqual(['idée 3', 'idée 2', 'idée 1']);
    expect(p3).toMatchObject({ page: 3, pages: 3 });
    expect((await ideas.list(b, { kind: 'recent' }, 4)).items).toEqual([]);
    // nonsense page numbers fall back to the first page
    for (const page of [0, -2, Number.NaN]) {
      const p = await ideas.list(b, { kind: 'recent' }, page);
      expect(p.page).toBe(1);
      expect(p.items[0].title).toBe('idée 23');
    }
    expect((await ideas.list(b, { kind: 'recent' }, 2.7)).page).toBe(2);
    // an empty list still has one page
    expect(await ideas.list(b, { kind: 'mine' }, 1)).toMatchObject({ items: [], total: 0, page: 1, pages: 1 });
  });

  test('followers are the author and the supporters, once each, as people', async () => {
    const i = await idea(a, { anonymous: true });
    await ideas.support(b, i.id);
    await ideas.support(a, i.id); // the author also supports it: still one follower
    await ideas.support(c, i.id);
    await store.ideas.addSupport(i.id, 'slack:T1/UNKNOWN', NOW); // never recorded: not a follower

    const followers = await ideas.followers((await store.ideas.get(i.id))!);
    expect(followers.map((p) => p.id).sort()).toEqual(['slack:T1/UA', 'slack:T1/UB', 'slack:T1/UC']);
    expect(followers.find((p) => p.id === 'slack:T1/UA')).toMatchObject({ displayName: 'A', platform: 'slack', tenant: 'T1', user: 'UA' });

    const lonely = await idea(b);
    expect((await ideas.followers(lonely)).map((p) => p.id)).toEqual(['slack:T1/UB']);
  });

  test('topByAxis gives the most supported visible ideas of every axis, in programme order', async () => {
    const u1 = await idea(a, { title: 'u1' });
    const u2 = await idea(a, { title: 'u2' });
    const u3 = await idea(a, { title: 'u3' });
    const uHidden = await idea(a, { title: 'masquée' });
    const t1 = await idea(a, { title: 't1', axis: 'transitions' });
    await ideas.support(b, u2.id);
    await ideas.support(c, u2.id);
    await ideas.support(b, u1.id);
    for (const who of [a, b, c]) await ideas.support(who, uHidden.id);
    await ideas.hide(pilot, uHidden.id, 'motif');

    const top = await ideas.topByAxis(2);
    expect(top.map((x) => x.axisId)).toEqual(programme.axes.map((x) => x.id));
    const byAxis = Object.fromEntries(top.map((x) => [x.axisId, x.ideas.map((i) => i.id)]));
    expect(byAxis.usager).toEqual([u2.id, u1.id]);
    expect(byAxis.transitions).toEqual([t1.id]);
    expect(byAxis.equipe).toEqual([]);
    expect(byAxis.usager).not.toContain(u3.id);
  });
});

describe('text helpers', () => {
  test('hashtagsIn finds each hashtag once, lower-cased', () => {
    expect(hashtagsIn('Une idée #Accueil et #sobriété! #accueil')).toEqual(['accueil', 'sobriété']);
    expect(hashtagsIn('#debut au début')).toEqual(['debut']);
    expect(hashtagsIn('pas de hashtag, ni mail#faux')).toEqual([]);
  });

  test('titleAndDescription keeps a short text as the title', () => {
    expect(titleAndDescription('  Une   idée courte  ')).toEqual({ title: 'Une idée courte', description: '' });
    const exactly120 = 'x'.repeat(120);
    expect(titleAndDescription(exactly120)).toEqual({ title: exactly120, description: '' });
  });

  test('titleAndDescription cuts a long text at its first sentence, or at a word with an ellipsis', () => {
    const words = Array.from({ length: 60 }, (_, i) => `mot${i}`).join(' '); // ~ 350 characters, no sentence end
    const cut = titleAndDescription(words);
    expect(cut.title.length).toBeLessThanOrEqual(120);
    expect(cut.title.endsWith('…')).toBe(true);
    expect(words.startsWith(cut.title.slice(0, -1))).toBe(true);
    expect(words.charAt(cut.title.length - 1)).toBe(' '); // cut at a word boundary
    expect(cut.description).toBe(words);

    const sentence = `Créons un guichet unique pour les usagers. ${'Et ensuite bien des détails encore. '.repeat(8)}`.trim();
    expect(sentence.length).toBeGreaterThan(250);
    const s = titleAndDescription(sentence);
    expect(s.title).toBe('Créons un guichet unique pour les usagers.');
    expect(s.description).toBe(sentence);

    const t300 = 'a'.repeat(300);
    const noSpace = titleAndDescription(t300);
    expect(noSpace.title.length).toBeLessThanOrEqual(120);
    expect(noSpace.title.endsWith('…')).toBe(true);
    expect(noSpace.description).toBe(t300);

    for (const text of [words, sentence, t300]) {
      const r = titleAndDescription(text);
      expect(r.title.length).toBeLessThanOrEqual(120);
      expect(/[….!?]$/.test(r.title)).toBe(true);
    }
  });
});
