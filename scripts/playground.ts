/**
 * Try Ensemble's Teams side locally, without a tenant, a tunnel or an Azure bot:
 *
 *   npm run playground        (npm run build && node scripts/playground.ts)
 *
 * 1. starts the bot (node dist/src/main.js) in Teams local mode: TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and
 *    TEAMS_TENANT_ID are blanked for it, so it accepts unauthenticated activities from this machine only;
 * 2. waits until its GET /healthz answers 200;
 * 3. starts the Microsoft 365 Agents Playground (devDependency @microsoft/m365agentsplayground) pointed at
 *    http://127.0.0.1:PORT/api/messages, with its telemetry off, and prints the URL of its web UI;
 * 4. on Ctrl+C (SIGINT) or SIGTERM, stops both; if either stops on its own, stops the other.
 *
 * Environment (and .env):
 *   PORT                 the bot's port (default 3978)
 *   PLAYGROUND_PORT      the playground UI's port (default 56150; the playground picks a free one if taken)
 *   TEAMSAPPTESTER_BROWSER=none   never open a browser; set by default when CI is set or, on Linux,
 *                                 when there is no DISPLAY or WAYLAND_DISPLAY
 * The playground's own log goes to .playground/m365agentsplayground.log.
 *
 * Written as CommonJS with type-only imports, so Node 24 runs it as it is (type stripping) and tsc type-checks it.
 */
import type * as ChildProcessTypes from 'node:child_process';
import type * as FsTypes from 'node:fs';
import type * as NetTypes from 'node:net';
import type * as PathTypes from 'node:path';

const { spawn }: typeof ChildProcessTypes = require('node:child_process');
const fs: typeof FsTypes = require('node:fs');
const net: typeof NetTypes = require('node:net');
const path: typeof PathTypes = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BOT_ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');
const LOG_DIR = path.join(ROOT, '.playground');
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

type Child = ChildProcessTypes.ChildProcess;

function log(message: string): void {
  process.stdout.write(`[playground] ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`[playground] ${message}\n`);
  process.exit(1);
}

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name} must be a port number between 1 and 65535, not "${value}".`);
  return port;
}

/** True when something already accepts connections on 127.0.0.1:port. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `url` until it answers 200; rejects after `timeoutMs` or as soon as `child` exits. */
async function waitFor200(url: string, child: Child, what: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} stopped before it was ready.`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer 200 on ${url} within ${timeoutMs / 1000} s.`);
}

/** Should the playground open a browser? Not under CI, nor on a Linux machine without a display. */
function browserWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.TEAMSAPPTESTER_BROWSER !== undefined) return env.TEAMSAPPTESTER_BROWSER !== 'none';
  if (env.CI) return false;
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  return true;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const envFile = path.join(ROOT, '.env');
  if (fs.existsSync(envFile)) require('dotenv').config({ path: envFile, quiet: true });

  const botPort = portFrom(process.env.PORT, 3978, 'PORT');
  const uiPort = portFrom(process.env.PLAYGROUND_PORT, 56150, 'PLAYGROUND_PORT');
  const endpoint = `http://127.0.0.1:${botPort}/api/messages`;

  if (!fs.existsSync(BOT_ENTRY)) fail(`${path.relative(process.cwd(), BOT_ENTRY)} is missing: run "npm run build" first (npm run playground does).`);
  let playgroundCli: string;
  try {
    playgroundCli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    fail('@microsoft/m365agentsplayground is not installed: run "npm install" (it is a devDependency).');
  }
  if (await portTaken(botPort)) fail(`port ${botPort} is already in use: stop what listens there, or set PORT to another port.`);

  const children: Child[] = [];
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    timer.unref();
    Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r))))).then(() =>
      process.exit(exitCode),
    );
  };
  process.on('SIGINT', () => stopAll('SIGINT', 0));
  process.on('SIGTERM', () => stopAll('SIGTERM', 0));

  // 1. The bot, in Teams local mode (blank values win over .env: dotenv does not override them).
  log(`starting the bot on port ${botPort} (Teams local mode)`);
  const bot = spawn(process.execPath, [BOT_ENTRY], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PORT: String(botPort), TEAMS_CLIENT_ID: '', TEAMS_CLIENT_SECRET: '', TEAMS_TENANT_ID: '' },
  });
  children.push(bot);
  bot.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[playground] the bot stopped (${signal ?? `exit code ${code}`}); stopping the playground.\n`);
    stopAll('SIGTERM', code || 1);
  });

  try {
    await waitFor200(`http://127.0.0.1:${botPort}/healthz`, bot, 'The bot');
  } catch (e) {
    process.stderr.write(`[playground] ${(e as Error).message}\n`);
    stopAll('SIGTERM', 1);
    return;
  }
  if (stopping) return;

  // 2. The Agents Playground. Its console output goes only to its log file when stdout is not a terminal;
  //    it then prints just "Listening on <port>", which tells the port it really took.
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, 'm365agentsplayground.log');
  const openBrowser = browserWanted(process.env);
  log(`starting the Microsoft 365 Agents Playground for ${endpoint}`);
  const playground = spawn(process.execPath, [playgroundCli, '--app-endpoint', endpoint, '--channel-id', 'msteams', '--port', String(uiPort), '--disable-telemetry'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: openBrowser ? process.env.TEAMSAPPTESTER_BROWSER : 'none',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
      M365_AGENTS_PLAYGROUND_RECORDING_FILE: path.join(LOG_DIR, 'events_recording.json'),
    },
  });
  children.push(playground);
  playground.on('exit', (code, signal) => {
    if (stopping) return;
    const last = tail(logFile);
    process.stderr.write(`[playground] the Agents Playground stopped (${signal ?? `exit code ${code}`}); stopping the bot.\n${last ? `${last}\n` : ''}`);
    stopAll('SIGTERM', code || 1);
  });

  const actualPort = await new Promise<number | undefined>((resolve) => {
    let buffered = '';
    playground.stdout?.setEncoding('utf8');
    playground.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      const m = /Listening on (\d+)/.exec(buffered);
      if (m) resolve(Number(m[1]));
      if (buffered.length > 4096) buffered = buffered.slice(-512);
    });
    playground.once('exit', () => resolve(undefined));
  });
  if (actualPort === undefined || stopping) return;

  const uiUrl = `http://localhost:${actualPort}`;
  try {
    await waitFor200(`http://127.0.0.1:${actualPort}/`, playground, 'The Agents Playground');
  } catch (e) {
    process.stderr.write(`[playground] ${(e as Error).message}\n${tail(logFile)}\n`);
    stopAll('SIGTERM', 1);
    return;
  }
  log(`ready: open ${uiUrl} to talk to Ensemble${openBrowser ? ' (a browser should open)' : ''}`);
  log(`bot endpoint ${endpoint}; playground log ${path.relative(process.cwd(), logFile)}; Ctrl+C stops both`);
}

module.exports = { browserWanted };
if (require.main === module) void main();
