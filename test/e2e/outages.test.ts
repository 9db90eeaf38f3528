import { talk } from '../support/conversation';
import { FakeSlack } from '../support/fake-slack';
import { startTestBot, type TestBot } from '../support/harness';

/** What the bot does when a platform or its own store fails, and what /healthz says about it. */
describe('outages', () => {
  describe('Slack’s Web API down when the bot starts', () => {
    let slack: FakeSlack;
    let bot: TestBot;
    const { slashText } = talk(() => ({ bot, slack }));
    const health = async (): Promise<any> => (await fetch(`${bot.url}/healthz`)).json();

    beforeAll(async () => {
      slack = await new FakeSlack().start();
      slack.down.add('*');
      bot = await startTestBot({ slackApiUrl: slack.apiUrl });
      await slack.waitForCall('auth.test');
    });
    afterAll(async () => {
      await bot.close();
      await slack.stop();
    });

    test('/healthz says Slack is not ready, and why', async () => {
      const res = await fetch(`${bot.url}/healthz`);
      expect(res.status).toBe(200);
      const body: any = await res.json();
      expect(body).toMatchObject({ status: 'degraded', ready: { store: true, slack: false }, slack: 'http' });
      expect(body.notReady.join(' ')).toContain('slack: auth.test failed');
    });

    test('people are still answered meanwhile (a reply through response_url needs no Web API)', async () => {
      expect(await slashText('U1', 'aide')).toContain('Faire Administration');
    });

    test('auth.test is asked again until Slack answers; then Slack is ready and everything works', async () => {
      const asked = slack.calls('auth.test').length;
      slack.down.clear();
      await slack.waitFor((r) => r.path === '/api/auth.test', asked + 1, 15_000);
      for (let i = 0; i < 100 && !(await health()).ready.slack; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await health()).toMatchObject({ status: 'ok', ready: { slack: true } });
      expect(await slashText('U2', 'aide')).toContain('Faire Administration');
    });
  });

  describe('a store that cannot write', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startTestBot({});
    });
    afterAll(async () => {
      await bot.close();
    });

    test('/healthz answers 503 and says the store is not ready, then 200 once it writes again', async () => {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      // every write fails from now on, as on a full disk (reads still work)
      const db = (bot.services.store as unknown as { db: { exec(sql: string): void } }).db;
      db.exec('PRAGMA query_only = 1');
      const res = await fetch(`${bot.url}/healthz`);
      expect(res.status).toBe(503);
      const body: any = await res.json();
      expect(body).toMatchObject({ status: 'unavailable', ready: { store: false } });
      expect(body.notReady[0]).toMatch(/^store: .*readonly/);
      db.exec('PRAGMA query_only = 0');
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    });
  });
});
