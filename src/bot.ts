import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Conversation } from './app/conversation';
import type { Services } from './app/services';
import { loadProgramme } from './config/programme';
import type { Config } from './config/types';
import { IdeasService } from './domain/ideas-service';
import { PeopleService } from './domain/people-service';
import { Messenger } from './app/messenger';
import type { Clock, Store } from './domain/ports';
import type { Programme } from './domain/programme';
import { createExpressApp, mountRoutes } from './http/server';
import { I18n } from './i18n';
import type { Logger } from './logger';
import { createSlackPlatform, type SlackPlatform } from './platforms/slack/app';
import { createTeamsPlatform, type TeamsPlatform } from './platforms/teams/app';
import { openStore } from './store/open';

export interface BotOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  random?: () => number;
  /** Tests may bring an already-open store or programme. */
  store?: Store;
  programme?: Programme;
  /** Interface to listen on; all interfaces by default. */
  host?: string;
}

export interface Bot {
  services: Services;
  slack?: SlackPlatform;
  teams: TeamsPlatform;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** Composition root: config → store → services → platforms → HTTP. `main.ts` adds the process edges. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, log } = options;
  const programme = options.programme ?? loadProgramme(config.programmeFile);
  const store = options.store ?? (await openStore({ mongodbUri: config.mongodbUri, dataDir: config.dataDir }));
  const clock = options.clock ?? systemClock;
  const services: Services = {
    programme,
    store,
    people: new PeopleService(store, programme, clock),
    ideas: new IdeasService(store, programme, clock),
    i18n: new I18n(config.locale),
    clock,
    log,
    timezone: config.timezone,
    defaultLocale: config.locale,
    random: options.random ?? Math.random,
  };
  const messenger = new Messenger();
  const conversation = new Conversation(services, messenger);
  const express = createExpressApp();
  const slack = config.slack ? createSlackPlatform(config.slack, services, conversation, express, messenger) : undefined;
  const teams = await createTeamsPlatform(config.teams, services, conversation, messenger);
  mountRoutes(express, services, teams, { slack: slack?.mode ?? 'off', teams: teams.mode });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = express.listen(config.port, options.host ?? '::', () => resolve(s));
    s.once('error', reject);
  });
  await slack?.start();
  const port = (server.address() as AddressInfo).port;

  let stopped = false;
  return {
    services,
    slack,
    teams,
    server,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await slack?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
