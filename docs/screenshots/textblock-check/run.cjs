// Runs the TextBlock markdown check: echo-bot.cjs on a port, the Agents Playground against it, and headless Chromium
// driven by scripts/screenshots.ts's helpers; saves echo-CASE.png here and prints what each TextBlock shows.
// Usage, from the repository: node_modules/.bin/node docs/screenshots/textblock-check/run.cjs
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { openPlayground, act, shoot, SEL } = require('../../../scripts/screenshots.ts');
const BOT = 39781;
const UI = 39782;
(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'textblock-check-'));
  const bot = spawn(process.execPath, [path.join(__dirname, 'echo-bot.cjs'), String(BOT)], { stdio: 'inherit' });
  const pg = spawn(
    process.execPath,
    [require.resolve('@microsoft/m365agentsplayground/cli.js'), '--app-endpoint', `http://127.0.0.1:${BOT}/api/messages`, '--channel-id', 'msteams', '--port', String(UI), '--disable-telemetry'],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_LOGFILE: path.join(tmp, 'pg.log') } },
  );
  await new Promise((r) => pg.stdout.on('data', (c) => /Listening on/.test(String(c)) && r()));
  const { page, close } = await openPlayground(`http://localhost:${UI}`, path.join(tmp, 'profile'));
  try {
    for (const name of ['chevrons', 'entities', 'guillemets', 'link', 'link-wj', 'amp', 'html', 'tags', 'tags2', 'backslash', 'all', 'text']) {
      await act(page, name);
      await shoot(page, path.join(__dirname, `echo-${name}.png`));
      const shown = await page.locator(SEL.card).last().evaluate((el) => [...el.querySelectorAll('[id^="tb-"], p')].map((e) => ({ text: e.innerText, links: [...e.querySelectorAll('a')].map((a) => a.href) })));
      console.log(name, JSON.stringify(shown.filter((s) => !s.text.startsWith('case '))[0]));
    }
  } finally {
    await close();
    pg.kill('SIGTERM');
    bot.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
