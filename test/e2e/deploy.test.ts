import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { envOf, execForm, healthcheckOf, type Instruction, parseDockerfile, type Stage } from '../support/dockerfile';

/**
 * The deployment files (Dockerfile, compose.yaml, deploy/). No Docker engine runs on the project's machines, so
 * the image is not built here: the files are read and checked, and the image's HEALTHCHECK and CMD are run as
 * processes, with the image's ENV, in a folder laid out as the runtime stage's COPY lines lay out /app.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const SECRETS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'TEAMS_CLIENT_SECRET'];

const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages[stages.length - 1];
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: Stage, keyword: string): Instruction | undefined => all(stage, keyword).at(-1);
const imageEnv = (stage: Stage) => Object.assign({}, ...all(stage, 'ENV').map((i) => envOf(i.args))) as Record<string, string>;
const workdir = (stage: Stage) => last(stage, 'WORKDIR')?.args ?? '/';

describe('the Dockerfile', () => {
  test('is multi-stage, every stage on Node 24 (Debian slim)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
    expect(stages[0].name).toBe('build');
  });

  test('the build stage installs from the lock (npm ci) and builds', () => {
    const runs = all(stages[0], 'RUN').map((i) => i.args);
    expect(runs.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs).toContain('npm run build');
    // the build copies the lock before installing, and the sources the build needs
    const copies = all(stages[0], 'COPY').map((i) => i.args);
    expect(copies[0]).toMatch(/package\.json package-lock\.json/);
    for (const dir of ['src', 'programme']) expect(copies.some((c) => c.startsWith(`${dir} `))).toBe(true);
  });

  test('the runtime stage: production dependencies only, non-root user, data volume, port, health check, command', () => {
    const runs = all(runtime, 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /npm run build|npm install\b/.test(r))).toBe(false);

    const user = last(runtime, 'USER')?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    // USER comes before CMD, after the last RUN that needs root
    const order = runtime.instructions.map((i) => i.keyword);
    expect(order.lastIndexOf('USER')).toBeGreaterThan(order.lastIndexOf('RUN'));

    const env = imageEnv(runtime);
    expect(env.NODE_ENV).toBe('production');
    expect(env.PORT).toBe('3978'); // DESIGN.md's default
    expect(last(runtime, 'EXPOSE')?.args).toBe(env.PORT);
    const volumes = execForm(last(runtime, 'VOLUME')!.args) ?? last(runtime, 'VOLUME')!.args.split(/\s+/);
    expect(volumes).toContain(env.DATA_DIR);
    // the default DATA_DIR (./data from the working folder) lands in the volume too
    expect(path.posix.resolve(workdir(runtime), './data')).toBe(env.DATA_DIR);

    const health = healthcheckOf(last(runtime, 'HEALTHCHECK')!.args);
    expect(health.command?.slice(0, 2)).toEqual(['node', '-e']); // no curl in the slim image
    expect(health.command?.[2]).toContain('/healthz');
    expect(health.options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
    expect(execForm(last(runtime, 'CMD')!.args)).toEqual(['node', 'dist/src/main.js']); // exec form: node gets SIGTERM
  });

  test('the image runs Node with the flags of "npm start" (the ones the benchmarks measure)', () => {
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const flags = start.match(/\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/src\/main\.js/)?.[1].trim();
    expect(flags).toContain('--max-semi-space-size=');
    expect(imageEnv(runtime).NODE_OPTIONS).toBe(flags);
  });

  test('no secret is baked into the image, and .env stays out of the build context', () => {
    for (const s of stages) {
      for (const i of [...all(s, 'ENV'), ...all(s, 'ARG')]) for (const name of SECRETS) expect(i.args).not.toContain(name);
      for (const i of all(s, 'COPY')) expect(i.args).not.toMatch(/(^|\s)\.env(\s|$)|^\.\s/);
    }
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['.env', 'node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});

/** A port nothing listens on right now (the image's 3978 may be taken on a shared machine). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function run(argv: string[], cwd: string, env: Record<string, string>) {
  const [cmd, ...args] = argv;
  const child = spawn(cmd === 'node' ? process.execPath : cmd, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("the image's HEALTHCHECK and CMD, run as processes against the build", () => {
  let app: string;
  let env: Record<string, string>;
  const health = healthcheckOf(last(runtime, 'HEALTHCHECK')!.args).command!;
  const cmd = execForm(last(runtime, 'CMD')!.args)!;
  const checkHealth = () => run(health, app, env).exited;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/src/main.js'))) throw new Error('dist/src/main.js is missing: "npm test" builds it first (npm run build)');
    // /app as the runtime stage lays it out: each COPY, from the build (this repository once built) or the context
    app = mkdtempSync(path.join(tmpdir(), 'ensemble-image-'));
    const wd = workdir(runtime);
    for (const copy of all(runtime, 'COPY')) {
      const words = copy.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const dest = words.pop()!;
      for (const source of words) {
        const from = path.join(ROOT, source.startsWith(`${workdir(stages[0])}/`) ? source.slice(workdir(stages[0]).length + 1) : source);
        const to = dest.endsWith('/') ? path.join(app, dest, path.basename(source)) : path.join(app, dest);
        cpSync(from, to, { recursive: true });
      }
    }
    // `npm ci --omit=dev` stands here as this repository's node_modules (dev dependencies included)
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    // the image's ENV, its paths under /app moved to the folder, on a free port
    env = {};
    for (const [k, v] of Object.entries(imageEnv(runtime))) env[k] = v === wd || v.startsWith(`${wd}/`) ? path.join(app, v.slice(wd.length)) : v;
    for (const dir of all(runtime, 'RUN').flatMap((r) => [...r.args.matchAll(/mkdir -p (\S+)/g)].map((m) => m[1])))
      mkdirSync(path.join(app, dir.slice(wd.length)), { recursive: true });
    env.PORT = String(await freePort());
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  test('the bot starts, the health check answers 0 through /healthz, SIGTERM stops it, then the health check answers 1', async () => {
    const bot = run(cmd, app, env);
    let healthy: number | null = 1;
    let stopped = false;
    void bot.exited.then(() => (stopped = true));
    // readiness: poll the image's own health check, as Docker would (generous: a cold start on a busy machine)
    for (let i = 0; i < 120 && healthy !== 0 && !stopped; i++) {
      healthy = await checkHealth();
      if (healthy !== 0) await new Promise((r) => setTimeout(r, 250));
    }
    try {
      expect({ healthy, output: stopped ? bot.output() : '' }).toEqual({ healthy: 0, output: '' });
      const body = await (await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).json();
      expect(body).toMatchObject({ status: 'ok', store: { kind: 'sqlite', ok: true } });
      expect(existsSync(path.join(env.DATA_DIR, 'ensemble.db'))).toBe(true); // in the volume's folder
      const listening = bot
        .output()
        .split('\n')
        .find((l) => l.includes('listens on port'))!;
      expect(JSON.parse(listening)).toMatchObject({ level: 30, port: Number(env.PORT), store: 'sqlite' }); // NODE_ENV=production: JSON logs
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await bot.exited).toBe(0);
    expect(await checkHealth()).toBe(1); // nothing listens any more
  }, 60000);
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, any> };
  const services = Object.entries(compose.services);
  const command = (s: any): string[] => (Array.isArray(s.command) ? s.command : String(s.command ?? '').split(/\s+/));
  const mongos = services.filter(([, s]) => String(s.image).startsWith('mongo:') && command(s).includes('--replSet'));
  const replSet = (s: any) => command(s)[command(s).indexOf('--replSet') + 1];
  const bots = services.filter(([, s]) => s.environment?.MONGODB_URI);
  const caddyfile = read('deploy/Caddyfile');

  test('three MongoDB 8 members in one replica set, initiated once by a one-shot service with the same members', () => {
    expect(mongos).toHaveLength(3);
    for (const [, s] of mongos) {
      expect(s.image).toBe('mongo:8');
      expect(command(s)).toContain('--bind_ip_all');
      expect(s.healthcheck?.test).toBeDefined();
      expect(s.volumes?.[0]).toMatch(/:\/data\/db$/);
      expect(s.ports).toBeUndefined();
    }
    const name = replSet(mongos[0][1]);
    expect(new Set(mongos.map(([, s]) => replSet(s)))).toEqual(new Set([name]));

    const [, init] = services.find(([, s]) => command(s)[0] === 'mongosh')!;
    expect(init.restart).toBe('no');
    for (const [id] of mongos) expect(init.depends_on[id]).toEqual({ condition: 'service_healthy' });
    const mounted = init.volumes.map((v: string) => v.split(':'));
    const [source, target] = mounted.find(([, t]: string[]) => command(init).includes(t));
    const script = read(source);
    expect(target).toMatch(/\.js$/);
    expect(script).toContain(`_id: '${name}'`);
    const hosts = [...script.matchAll(/host: '([^']+)'/g)].map((m) => m[1]);
    expect(hosts).toEqual(mongos.map(([id]) => `${id}:27017`));
    expect(script).toContain('rs.initiate(config)');
    expect(script).toContain("'NotYetInitialized'"); // a second run changes nothing
  });

  test('two bots of the same image share one store: MONGODB_URI names every member and the replica set', () => {
    expect(bots).toHaveLength(2);
    expect(new Set(bots.map(([, s]) => s.image))).toEqual(new Set(['ensemble:latest']));
    for (const [, s] of bots) expect(s.build).toBe('.'); // built here, never pulled
    const name = replSet(mongos[0][1]);
    for (const [, s] of bots) {
      const uri = new URL(s.environment.MONGODB_URI.replace(/^mongodb:\/\/([^/]+)/, (_: string, hosts: string) => `mongodb://h/${hosts}`));
      const hosts = decodeURIComponent(uri.pathname).split('/')[1].split(',');
      expect(hosts).toEqual(mongos.map(([id]) => `${id}:27017`));
      expect(uri.searchParams.get('replicaSet')).toBe(name);
      expect(s.environment.PORT).toBe('3978');
      expect(s.depends_on['mongo-init']).toEqual({ condition: 'service_completed_successfully' });
      expect(s.ports).toBeUndefined(); // reached through the proxy only
      // secrets come from .env on the host, never from compose.yaml
      expect(s.env_file).toEqual(['.env']);
      for (const name of SECRETS) expect(s.environment[name]).toBeUndefined();
    }
  });

  test('only the proxy publishes ports, and it routes /api/messages, /slack/events and /healthz to both bots', () => {
    const published = services.filter(([, s]) => s.ports);
    expect(published.map(([id]) => id)).toEqual(['proxy']);
    const [, proxy] = published[0];
    expect(proxy.image).toMatch(/^caddy:2/);
    expect(proxy.ports.map((p: string) => p.split(':').at(-1))).toEqual(['80', '443']);
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(proxy.environment.ENSEMBLE_SITE_ADDRESS).toMatch(/^\$\{ENSEMBLE_SITE_ADDRESS:-:80\}$/); // compose's default: plain HTTP on :80
    expect(caddyfile).toMatch(/^\{\$ENSEMBLE_SITE_ADDRESS\} \{$/m);

    const matcher = /^\s*@(\S+)\s+path\s+(.+)$/m.exec(caddyfile)!;
    expect(matcher[2].trim().split(/\s+/).sort()).toEqual(['/api/messages', '/healthz', '/slack/events']);
    const block = new RegExp(`handle @${matcher[1]} \\{[\\s\\S]*?reverse_proxy ([^{\\n]+)\\{([\\s\\S]*?)\\n\\t\\t\\}`).exec(caddyfile)!;
    const upstreams = block[1].trim().split(/\s+/);
    expect(upstreams).toEqual(bots.map(([id, s]) => `${id}:${s.environment.PORT}`));
    expect(block[2]).toMatch(/health_uri \/healthz/);
    expect(caddyfile).toMatch(/handle \{\s*respond 404\s*\}/); // nothing else reaches the bots
  });
});
