/**
 * Screenshots of Ensemble's Teams cards as a person sees them in the Microsoft 365 Agents Playground:
 *
 *   npm run screenshots                  every step of STEPS below (npm run build && node scripts/screenshots.ts)
 *   npm run screenshots -- aide idees    only those steps
 *   npm run screenshots -- '{"name":"mine","do":["idee Un test #accueil",{"click":"Propose an idea"}]}'
 *                                        a step of your own, as JSON
 *
 * 1. starts the bot and the playground as `npm run playground` does (scripts/playground.ts), on free ports, from a
 *    fresh temporary folder: its DATA_DIR (SQLite), a PROGRAMME_FILE made from programme/default.yaml where the
 *    playground's user is an organiser, and a playground config file giving that user ids the programme file
 *    accepts (the playground's own default ids are 37 characters long, not GUIDs); no .env is read;
 * 2. opens the playground's page in headless Chromium (playwright-core driving /usr/bin/chromium, never a
 *    downloaded browser); every request that leaves this machine (the page asks a CDN for fonts) is aborted;
 * 3. for each step, does its actions (see Action) as a person would: a message is typed into the compose box and
 *    sent with Enter, `{ "click": "Title" }` clicks that button on the bot's last card, `fill` and `pickDate` fill
 *    in a form; after a message or a click it waits for the bot's answer (a new bot message, or the last card
 *    changed in place) and for the page to settle; after the last action it saves the bot's last message (its
 *    card) to docs/screenshots/NAME.png (1280 px wide viewport, device scale factor 1);
 * 4. stops the browser, the playground and the bot and removes the temporary folder; exits 1 naming each step
 *    that failed (a full-page picture of the failure goes to .playground/screenshots-failed-NAME.png).
 *
 * Needs Debian's chromium and, for the emoji on some buttons, fonts-noto-color-emoji (apt-get install both).
 * Environment: CHROMIUM (default /usr/bin/chromium), SCREENSHOTS_DIR (default docs/screenshots).
 * The playground sends every activity with locale en-US, so the cards are in English (commands work in both).
 * Written as CommonJS with type-only imports, so Node 24 runs it as it is (type stripping) and tsc type-checks it.
 */
import type * as ChildProcessTypes from 'node:child_process';
import type * as FsTypes from 'node:fs';
import type * as NetTypes from 'node:net';
import type * as OsTypes from 'node:os';
import type * as PathTypes from 'node:path';
import type * as PlaywrightTypes from 'playwright-core';
import type * as YamlTypes from 'yaml';
import type * as SqliteTypes from '../src/store/sqlite';
import type { PlaygroundModule } from './playground';

/**
 * What a person does. Only a message and a click get an answer from the bot, which is awaited.
 * Labels and titles are those of the English cards (the playground's locale is en-US).
 */
type Action =
  | string // a message: typed into the compose box and sent with Enter
  | { click: string } // the button of the bot's last card with that title
  | { fill: Record<string, string> } // text inputs of the last card, by (part of) their label
  | { pickDate: string; daysAhead: number }; // the last card's date input with that label: its calendar, arrow keys, Enter
/** `do` runs in order; the answer to the last action is saved as NAME.png. `expect`: a CSS selector the card must hold. */
interface Step {
  name: string;
  do: Action[];
  expect?: string;
}

const STEPS: Step[] = [
  { name: 'aide', do: ['aide'] },
  { name: 'idee', do: ['idee'], expect: 'input, textarea' },
  { name: 'idees', do: ['idee Un guichet unique #accueil', 'idee Des salles réservables #equipe', 'idees'] },
  // an agenda with an event in it: an organiser creates one through the form first
  {
    name: 'agenda',
    do: ['evenement', { fill: { Title: 'Atelier « guichet unique »', Place: 'Salle du conseil' } }, { pickDate: 'Start date', daysAhead: 7 }, { click: 'Create' }, 'agenda'],
  },
  { name: 'evenement', do: ['evenement'], expect: 'input, textarea' }, // organisers only
  { name: 'diffusion', do: ['diffusion'], expect: 'input, textarea' }, // organisers only
  // an axis with an update: the playground's user, an organiser, may post on any axis
  { name: 'point', do: ['point usager'], expect: 'input, textarea' },
  {
    name: 'point-apercu',
    do: [
      'point usager',
      { fill: { 'What was done': 'Trois ateliers avec les agents d’accueil ; une première version du guide.', 'Next steps': 'Tester le guide avec deux directions en janvier.' } },
      { click: 'Preview' },
    ],
  },
  {
    name: 'axe',
    do: [
      'point usager',
      { fill: { 'What was done': 'Trois ateliers avec les agents d’accueil ; une première version du guide.', 'Next steps': 'Tester le guide avec deux directions en janvier.' } },
      { click: 'Preview' },
      { click: 'Publish' },
      'idee Un guichet unique pour les nouveaux arrivants #accueil',
      'axe usager',
    ],
  },
  { name: 'preferences', do: ['preferences'], expect: 'input' },
  // ambassadors and équipiers: the sign-up form (the playground's user has no engagement yet)
  { name: 'ambassadeur-inscription', do: ['ambassador signup'], expect: 'input, textarea' },
  // communities: the list, and a progress group's card once the playground's user joined it (an organiser: stage buttons)
  { name: 'communautes', do: ['communities'] },
  { name: 'communaute', do: ['community groupe-progres', { click: 'Join “Cross-department progress group”' }] },
  // the manager's card: Megan Bowen's request names the playground's user as her manager (seeded before the run)
  { name: 'ambassadeur-responsable', do: ['ambassador'] },
  // privacy: the notice, the erasure's confirmation, and the organisers' audit trail after an export (« my data »
  // ends with the JSON file's consent card, which the playground does not show)
  { name: 'confidentialite', do: ['privacy'] },
  { name: 'effacer-mes-donnees', do: ['erase-my-data'] },
  { name: 'journal', do: ['idee Un guichet unique #accueil', 'export', 'journal'] },
];

const { execFileSync }: typeof ChildProcessTypes = require('node:child_process');
const fs: typeof FsTypes = require('node:fs');
const net: typeof NetTypes = require('node:net');
const os: typeof OsTypes = require('node:os');
const path: typeof PathTypes = require('node:path');
const { chromium }: typeof PlaywrightTypes = require('playwright-core');
const YAML: typeof YamlTypes = require('yaml');
const { preflight, startStack, tail }: PlaygroundModule = require('./playground.ts');

// The browser's globals used by the functions that run in the page (this project's TypeScript lib has no DOM).
declare const document: { body: unknown; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: object): void;
  disconnect(): void;
}

type Page = PlaywrightTypes.Page;
type Locator = PlaywrightTypes.Locator;

const ROOT = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT_DIR = path.resolve(ROOT, process.env.SCREENSHOTS_DIR || 'docs/screenshots');
const FAILED_DIR = path.join(ROOT, '.playground');
const VIEWPORT = { width: 1280, height: 900 };
const ANSWER_TIMEOUT_MS = 20_000;
const QUIET_MS = 700;

/** The playground's user, with GUIDs (the programme file accepts `teams:TENANT/AAD-OBJECT-ID` with GUIDs only). */
const TENANT = '00000000-0000-4000-8000-000000000001';
const USER = { name: 'Alex Wilber', aadObjectId: '00000000-0000-4000-8000-000000000020', email: 'alexw@example.com' };

/** The playground page: its compose box, and the bot's messages (only the bot's carry an author) and cards. */
const SEL = {
  compose: '[data-lexical-editor="true"][contenteditable="true"]',
  botMessage: '[aria-label="Message author"]',
  card: '.fai-OutputCard', // the frame of a bot message, card or text (a click's "sent" notice shows inside it)
  cardBody: '.ac-adaptiveCard',
};

function log(message: string): void {
  process.stdout.write(`[screenshots] ${message}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as NetTypes.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A colleague's engagement request that names the playground's user as her line manager, written to the store
 * before the bot starts (the playground has one user, who cannot be their own manager): the manager's card.
 */
async function seedManagerRequest(dataDir: string): Promise<void> {
  const { SqliteStore }: typeof SqliteTypes = require(path.join(ROOT, 'dist/src/store/sqlite'));
  fs.mkdirSync(dataDir, { recursive: true });
  const store = SqliteStore.open(dataDir);
  try {
    const at = new Date();
    const megan = await store.people.record(
      { platform: 'teams', tenant: TENANT, user: '00000000-0000-4000-8000-000000000021', displayName: 'Megan Bowen', email: 'meganb@example.com' },
      at,
    );
    const alex = await store.people.record({ platform: 'teams', tenant: TENANT, user: USER.aadObjectId, displayName: USER.name, email: USER.email }, at);
    await store.engagements.create(
      {
        personId: megan.id,
        managerId: alex.id,
        role: 'service',
        domains: ['intelligence-collective', 'process-internes'],
        timePercent: 8,
        motivation: 'Faire vivre la démarche à l’accueil de ma direction.',
        project: 'Accueil des usagers',
        start: new Date(at.getTime() + 14 * 86_400_000).toISOString().slice(0, 10),
        listed: true,
      },
      at,
    );
  } finally {
    await store.close();
  }
}

/** The playground's config file: its default users, with GUIDs for the tenant and the users' AAD object ids. */
function playgroundConfig(): string {
  const user = (n: number, name: string, mail: string) => {
    const [givenName, surname] = name.split(' ');
    return { id: `user-id-${n}`, name, userPrincipleName: mail, aadObjectId: `00000000-0000-4000-8000-0000000000${20 + n}`, givenName, surname, email: mail };
  };
  const others = ['Megan Bowen', 'Adele Vance', 'Isaiah Langer', 'Patti Fernandez', 'Lynne Robbins'];
  return YAML.stringify({
    version: '0.1.1',
    tenantId: TENANT,
    bot: { id: '00000000-0000-4000-8000-000000000011', name: 'Test Bot' },
    currentUser: user(0, USER.name, USER.email),
    users: others.map((name, i) => user(i + 1, name, `${name.split(' ')[0].toLowerCase()}${name.split(' ')[1][0].toLowerCase()}@example.com`)),
    personalChat: { id: crypto.randomUUID() },
    groupChat: { id: crypto.randomUUID(), name: 'Group Chat' },
    team: { id: 'team-id', name: 'My Team', aadGroupId: '00000000-0000-4000-8000-000000000031', channels: [{ id: 'channel-announcements-id', name: 'Announcements' }] },
  });
}

/** programme/default.yaml (comments kept), with the playground's user as the only organiser. */
function programmeWithOrganiser(): string {
  const doc = YAML.parseDocument(fs.readFileSync(path.join(ROOT, 'programme', 'default.yaml'), 'utf8'));
  doc.set('organisers', [`teams:${TENANT}/${USER.aadObjectId}`]);
  return doc.toString();
}

/** Resolves once nothing in the page has changed for QUIET_MS (at most 10 s). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    (quietMs) =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, quietMs);
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, quietMs);
        });
        const cap = setTimeout(done, 10_000);
        function done() {
          observer.disconnect();
          clearTimeout(cap);
          resolve();
        }
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      }),
    QUIET_MS,
  );
}

/** How many messages the bot has sent, and the text of its last card: what an answer changes. */
function snapshot(page: Page): Promise<{ messages: number; lastCard: string }> {
  return page.evaluate((sel) => {
    const cards = document.querySelectorAll(sel.cardBody);
    return { messages: document.querySelectorAll(sel.botMessage).length, lastCard: cards[cards.length - 1]?.textContent ?? '' };
  }, SEL);
}

/** Does one action as a person would, then waits for the bot's answer to be on screen. */
async function act(page: Page, action: Action): Promise<void> {
  const card = page.locator(SEL.card).last();
  if (typeof action === 'object' && 'fill' in action) {
    for (const [label, value] of Object.entries(action.fill)) await card.getByLabel(label).first().fill(value);
    return;
  }
  if (typeof action === 'object' && 'pickDate' in action) {
    const input = card.getByLabel(action.pickDate).first();
    await input.click(); // opens the calendar, today's button focused
    await page.locator('[role="grid"] :focus').waitFor({ timeout: 5_000 });
    for (let i = 0; i < Math.floor(action.daysAhead / 7); i++) await page.keyboard.press('ArrowDown');
    for (let i = 0; i < action.daysAhead % 7; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    if (!(await input.inputValue())) throw new Error(`no date was picked in "${action.pickDate}"`);
    return;
  }
  const before = await snapshot(page);
  if (typeof action === 'string') {
    const box = page.locator(SEL.compose);
    await box.click();
    await page.keyboard.type(action);
    const typed = ((await box.textContent()) ?? '').trim();
    if (typed !== action.trim()) throw new Error(`the compose box holds "${typed}" instead of "${action}"`);
    await page.keyboard.press('Enter');
  } else {
    const button = card.getByRole('button', { name: action.click, exact: true });
    if ((await button.count()) === 0) throw new Error(`the last card has no button "${action.click}"`);
    await button.first().click();
  }
  const what = typeof action === 'string' ? `"${action}"` : `a click on "${action.click}"`;
  await page
    .waitForFunction(
      ({ sel, before }) => {
        const cards = document.querySelectorAll(sel.cardBody);
        const lastCard = cards[cards.length - 1]?.textContent ?? '';
        return document.querySelectorAll(sel.botMessage).length > before.messages || lastCard !== before.lastCard;
      },
      { sel: SEL, before },
      { timeout: ANSWER_TIMEOUT_MS },
    )
    .catch(() => {
      throw new Error(`no answer to ${what} within ${ANSWER_TIMEOUT_MS / 1000} s`);
    });
  await settle(page);
}

/** Saves the bot's last card (the viewport grows first if the card is taller than the conversation shows). */
async function shoot(page: Page, file: string, expect?: string): Promise<void> {
  const card: Locator = page.locator(SEL.card).last();
  if (expect && (await card.locator(expect).count()) === 0) throw new Error(`the answer card has no ${expect}: ${((await card.textContent()) ?? '').slice(0, 300)}`);
  const box = await card.boundingBox();
  if (!box) throw new Error('the answer card is not displayed');
  const height = Math.max(VIEWPORT.height, Math.ceil(box.height) + 400);
  if (height !== page.viewportSize()?.height) {
    await page.setViewportSize({ width: VIEWPORT.width, height });
    await settle(page);
  }
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  await page.setViewportSize(VIEWPORT);
}

/** Opens the playground page; resolves once its compose box is there and the bot's welcome (if any) has come. */
async function openPlayground(uiUrl: string, userDataDir: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: 'en-US',
    // this script stops the browser itself, with the bot and the playground (Playwright would exit at once)
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const local = /^(https?|wss?):\/\/(localhost|127\.0\.0\.1)(:\d+)?\//;
  await context.route(
    (url) => !local.test(url.href),
    (route) => route.abort(),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(uiUrl, { waitUntil: 'domcontentloaded' });
  await page.locator(SEL.compose).waitFor({ timeout: 30_000 });
  await page
    .locator(SEL.botMessage)
    .first()
    .waitFor({ timeout: 15_000 })
    .catch(() => {});
  await settle(page);
  return { page, close: () => context.close() };
}

function stepsFrom(args: string[]): Step[] {
  if (args.length === 0) return STEPS;
  return args.map((arg) => {
    if (arg.trim().startsWith('{')) {
      const step = JSON.parse(arg) as Step;
      if (typeof step.name !== 'string' || !/^[\w.-]+$/.test(step.name) || !Array.isArray(step.do) || step.do.length === 0)
        throw new Error(`a step given as JSON needs "name" (letters, digits, . _ -) and "do" (a list of actions: see Action in scripts/screenshots.ts): ${arg}`);
      return step;
    }
    const step = STEPS.find((s) => s.name === arg);
    if (!step) throw new Error(`no step "${arg}"; the steps are: ${STEPS.map((s) => s.name).join(', ')}`);
    return step;
  });
}

async function main(): Promise<void> {
  let steps: Step[];
  try {
    steps = stepsFrom(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`[screenshots] ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    process.stderr.write(`[screenshots] no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)\n`);
    process.exit(1);
  }
  try {
    if (!/emoji/i.test(execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' }))) log('warning: no emoji font, emoji show as boxes (apt-get install fonts-noto-color-emoji)');
  } catch {
    // no fontconfig: Chromium says nothing either
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ensemble-shots-'));
  const botLog = path.join(tmp, 'bot.log');
  const programmeFile = path.join(tmp, 'programme.yaml');
  const configFile = path.join(tmp, 'm365agentsplayground.yml');
  fs.writeFileSync(programmeFile, programmeWithOrganiser());
  fs.writeFileSync(configFile, playgroundConfig());
  await seedManagerRequest(path.join(tmp, 'data'));

  let stack: ReturnType<PlaygroundModule['startStack']> | undefined;
  let browser: { close: () => Promise<void> } | undefined;
  const failed: string[] = [];
  let interrupted = false;
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await Promise.all([stack?.stop('SIGTERM', 0), browser?.close().catch(() => {})]);
      fs.rmSync(tmp, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: stopping the browser, the playground and the bot`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const botPort = await freePort();
    const playgroundCli = await preflight(botPort);
    stack = startStack({
      botPort,
      uiPort: await freePort(),
      playgroundCli,
      logDir: tmp,
      openBrowser: false,
      cwd: tmp, // so no .env is read
      botLogFile: botLog,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'development',
        DATA_DIR: path.join(tmp, 'data'),
        PROGRAMME_FILE: programmeFile,
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
      },
      info: log,
      report: (m) => process.stderr.write(`[screenshots] ${m}\n`),
    });
    const uiUrl = await stack.ready;
    log(`playground ready at ${uiUrl}; opening it in headless Chromium`);
    const opened = await openPlayground(uiUrl, path.join(tmp, 'chromium-profile'));
    browser = opened;
    const { page } = opened;
    fs.mkdirSync(OUT_DIR, { recursive: true });

    for (const step of steps) {
      if (interrupted) break;
      const file = path.join(OUT_DIR, `${step.name}.png`);
      try {
        for (const action of step.do) await act(page, action);
        await shoot(page, file, step.expect);
        log(`${step.name}: ${path.relative(process.cwd(), file)}`);
      } catch (e) {
        if (interrupted) break;
        failed.push(step.name);
        fs.mkdirSync(FAILED_DIR, { recursive: true });
        const picture = path.join(FAILED_DIR, `screenshots-failed-${step.name}.png`);
        await page.setViewportSize(VIEWPORT).catch(() => {});
        await page.screenshot({ path: picture }).catch(() => {});
        process.stderr.write(`[screenshots] step "${step.name}" failed: ${(e as Error).message} (page: ${path.relative(process.cwd(), picture)})\n`);
      }
    }
  } catch (e) {
    if (interrupted) return; // onSignal exits
    failed.push('(setup)');
    process.stderr.write(`[screenshots] ${(e as Error).message}\n`);
    const last = tail(botLog);
    if (last) process.stderr.write(`[screenshots] the bot's last lines:\n${last}\n`);
  }
  if (interrupted) return;
  if (failed.length > 0 && fs.existsSync(botLog)) {
    fs.mkdirSync(FAILED_DIR, { recursive: true });
    fs.copyFileSync(botLog, path.join(FAILED_DIR, 'screenshots-bot.log'));
  }
  await cleanUp();
  if (failed.length > 0) {
    process.stderr.write(`[screenshots] failed: ${failed.join(', ')}\n`);
    process.exit(1);
  }
  log(`done: ${steps.length} screenshot(s) in ${path.relative(process.cwd(), OUT_DIR) || '.'}`);
}

const api = { STEPS, act, shoot, settle, openPlayground, playgroundConfig, programmeWithOrganiser, SEL };
/** What `require('./screenshots.ts')` gives, to drive the playground from another script. */
export type ScreenshotsModule = typeof api;
module.exports = api;
if (require.main === module) void main();
