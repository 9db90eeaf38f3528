import 'dotenv/config';
import { type Bot, startBot } from './bot';
import { ConfigError, loadConfig } from './config/load';
import type { Config } from './config/types';
import { ProgrammeError } from './config/programme';
import { createLogger } from './logger';

/** The process edge: reads the environment, starts the bot, stops it cleanly on a signal. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel, pretty: config.prettyLogs });
  let bot: Bot;
  try {
    bot = await startBot({ config, log });
  } catch (e) {
    if (e instanceof ProgrammeError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    log.fatal({ err: e }, 'Ensemble could not start');
    process.exit(1);
  }
  const store = await bot.services.store.health();
  log.info({ port: bot.port, store: store.kind, slack: bot.slack?.mode ?? 'off', teams: bot.teams.mode }, `Ensemble listens on port ${bot.port}`);
  if (!bot.slack) log.info('Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) to turn it on.');
  if (bot.teams.mode === 'local') {
    log.info(`Teams runs in local mode (no TEAMS_CLIENT_ID): try it with "npm run playground", or POST activities to http://127.0.0.1:${bot.port}/api/messages from this machine.`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await bot.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
