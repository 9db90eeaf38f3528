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
 * scripts/screenshots.ts reuses preflight() and startStack() (exported below).
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

const running = (child: Child) => child.exitCode === null && child.signalCode === null;

/** Checks what the bot and the playground need; returns the playground's CLI. Throws with a message to show. */
async function preflight(botPort: number): Promise<string> {
  if (!fs.existsSync(BOT_ENTRY)) throw new Error(`${path.relative(process.cwd(), BOT_ENTRY)} is missing: run "npm run build" first (npm run playground does).`);
  let playgroundCli: string;
  try {
    playgroundCli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    throw new Error('@microsoft/m365agentsplayground is not installed: run "npm install" (it is a devDependency).');
  }
  if (await portTaken(botPort)) throw new Error(`port ${botPort} is already in use: stop what listens there, or set PORT to another port.`);
  return playgroundCli;
}

interface StackOptions {
  botPort: number;
  uiPort: number;
  playgroundCli: string;
  /** The folder for the playground's log and events recording. */
  logDir: string;
  openBrowser: boolean;
  /** The environment both start from (default process.env); the bot gets the Teams local-mode blanks on top. */
  env?: NodeJS.ProcessEnv;
  /** The working folder of both (default the repository; the bot reads .env there). */
  cwd?: string;
  /** A file for the bot's output; default: this terminal. */
  botLogFile?: string;
  /** Writes a progress line; default: stdout with the "[playground]" prefix. */
  info?: (message: string) => void;
  /** Writes a problem; default: stderr with the "[playground]" prefix. */
  report?: (message: string) => void;
}

interface Stack {
  endpoint: string;
  logFile: string;
  /** The playground's web UI, once both are ready; rejects (after stopping both) when either fails to start. */
  ready: Promise<string>;
  /** Resolves with an exit code once both have stopped: after stop(), or when either stopped on its own (1 then). */
  stopped: Promise<number>;
  /** Stops both (SIGKILL after a grace period); `stopped` then resolves with `exitCode`. */
  stop(signal: NodeJS.Signals, exitCode: number): Promise<number>;
}

/**
 * Starts the bot in Teams local mode, waits for its /healthz, then starts the Agents Playground against it.
 * If either stops on its own, the other is stopped too.
 */
function startStack(o: StackOptions): Stack {
  const info = o.info ?? log;
  const report = o.report ?? ((m: string) => process.stderr.write(`[playground] ${m}\n`));
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? ROOT;
  const endpoint = `http://127.0.0.1:${o.botPort}/api/messages`;
  const logFile = path.join(o.logDir, 'm365agentsplayground.log');
  const children: Child[] = [];
  let stopping = false;
  let done: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (done = resolve));

  const stop = (signal: NodeJS.Signals, exitCode: number): Promise<number> => {
    if (stopping) return stopped;
    stopping = true;
    for (const child of children) if (running(child)) child.kill(signal);
    const timer = setTimeout(() => {
      for (const child of children) if (running(child)) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    timer.unref();
    Promise.all(children.map((child) => (running(child) ? new Promise((r) => child.once('exit', r)) : undefined))).then(() => done(exitCode));
    return stopped;
  };

  const ready = (async () => {
    // 1. The bot, in Teams local mode (blank values win over .env: dotenv does not override them).
    info(`starting the bot on port ${o.botPort} (Teams local mode)`);
    const botOut = o.botLogFile ? fs.openSync(o.botLogFile, 'a') : 'inherit';
    const bot = spawn(process.execPath, [BOT_ENTRY], {
      cwd,
      stdio: [o.botLogFile ? 'ignore' : 'inherit', botOut, botOut],
      env: { ...env, PORT: String(o.botPort), TEAMS_CLIENT_ID: '', TEAMS_CLIENT_SECRET: '', TEAMS_TENANT_ID: '' },
    });
    if (typeof botOut === 'number') fs.closeSync(botOut);
    children.push(bot);
    bot.on('exit', (code, signal) => {
      if (stopping) return;
      report(`the bot stopped (${signal ?? `exit code ${code}`}); stopping the playground.`);
      void stop('SIGTERM', code || 1);
    });
    try {
      await waitFor200(`http://127.0.0.1:${o.botPort}/healthz`, bot, 'The bot');
    } catch (e) {
      report((e as Error).message);
      void stop('SIGTERM', 1);
      throw e;
    }
    if (stopping) throw new Error('stopped before the bot was ready');

    // 2. The Agents Playground. Its console output goes only to its log file when stdout is not a terminal;
    //    it then prints just "Listening on <port>", which tells the port it really took.
    fs.mkdirSync(o.logDir, { recursive: true });
    info(`starting the Microsoft 365 Agents Playground for ${endpoint}`);
    const playground = spawn(process.execPath, [o.playgroundCli, '--app-endpoint', endpoint, '--channel-id', 'msteams', '--port', String(o.uiPort), '--disable-telemetry'], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...env,
        TEAMSAPPTESTER_BROWSER: o.openBrowser ? env.TEAMSAPPTESTER_BROWSER : 'none',
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
        M365_AGENTS_PLAYGROUND_RECORDING_FILE: path.join(o.logDir, 'events_recording.json'),
      },
    });
    children.push(playground);
    playground.on('exit', (code, signal) => {
      if (stopping) return;
      const last = tail(logFile);
      report(`the Agents Playground stopped (${signal ?? `exit code ${code}`}); stopping the bot.${last ? `\n${last}` : ''}`);
      void stop('SIGTERM', code || 1);
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
    if (actualPort === undefined || stopping) throw new Error('the Agents Playground stopped before it was ready');

    try {
      await waitFor200(`http://127.0.0.1:${actualPort}/`, playground, 'The Agents Playground');
    } catch (e) {
      report(`${(e as Error).message}\n${tail(logFile)}`);
      void stop('SIGTERM', 1);
      throw e;
    }
    return `http://localhost:${actualPort}`;
  })();
  ready.catch(() => {}); // the caller may await `stopped` only

  return { endpoint, logFile, ready, stopped, stop };
}

async function main(): Promise<void> {
  const envFile = path.join(ROOT, '.env');
  if (fs.existsSync(envFile)) require('dotenv').config({ path: envFile, quiet: true });

  const botPort = portFrom(process.env.PORT, 3978, 'PORT');
  const uiPort = portFrom(process.env.PLAYGROUND_PORT, 56150, 'PLAYGROUND_PORT');
  let playgroundCli: string;
  try {
    playgroundCli = await preflight(botPort);
  } catch (e) {
    fail((e as Error).message);
  }

  const openBrowser = browserWanted(process.env);
  // handlers first (they run from the event loop, once `stack` is set), so a signal never leaves the bot behind
  let stack: Stack | undefined;
  process.on('SIGINT', () => void stack?.stop('SIGINT', 0));
  process.on('SIGTERM', () => void stack?.stop('SIGTERM', 0));
  stack = startStack({ botPort, uiPort, playgroundCli, logDir: LOG_DIR, openBrowser });
  void stack.stopped.then((code) => process.exit(code));

  let uiUrl: string;
  try {
    uiUrl = await stack.ready;
  } catch {
    return; // already reported; `stopped` exits
  }
  log(`ready: open ${uiUrl} to talk to Ensemble${openBrowser ? ' (a browser should open)' : ''}`);
  log(`bot endpoint ${stack.endpoint}; playground log ${path.relative(process.cwd(), stack.logFile)}; Ctrl+C stops both`);
}

const api = { browserWanted, preflight, startStack, portFrom, tail };
/** What `require('./playground.ts')` gives; type it with `import type { PlaygroundModule }`. */
export type PlaygroundModule = typeof api;
export type { Stack, StackOptions };
module.exports = api;
if (require.main === module) void main();
