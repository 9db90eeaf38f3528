import pino from 'pino';
import { startBot, type Bot } from '../../src/bot';
import { loadConfig } from '../../src/config/load';
import { SIGNING_SECRET } from './slack';

/**
 * Starts the real bot in this process on loopback: embedded store in `dataDir`, Slack over HTTP
 * (signed requests, Web API at `slackApiUrl`), Teams in local mode (always on), logs silent.
 */
export async function startBenchBot(options: { dataDir: string; slackApiUrl: string }): Promise<Bot & { url: string }> {
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: options.dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: options.slackApiUrl,
  });
  const log = pino({ level: 'silent' });
  const bot = await startBot({ config, log, host: '127.0.0.1' });
  return { ...bot, url: `http://127.0.0.1:${bot.port}` };
}
