/**
 * Builds the Teams app package: build/ensemble-teams.zip, to upload in Teams (Apps > Manage your apps >
 * Upload an app) or in the Teams admin centre.
 *
 *   node scripts/package-teams.ts          (npm run package:teams)
 *
 * Reads the environment (and .env when present):
 *   TEAMS_CLIENT_ID  required: the bot's Microsoft Entra application (client) ID, a GUID; becomes bots[0].botId.
 *   TEAMS_APP_ID     optional: the Teams app's own ID, a GUID; defaults to TEAMS_CLIENT_ID.
 *
 * The zip holds manifest.json (placeholders ${{...}} substituted), en-us.json, color.png and outline.png at its
 * root. Everything is checked first (JSON, lengths, icon sizes and colours, localization keys); nothing is
 * written when a check fails.
 *
 * Written as CommonJS with type-only imports, so Node 24 runs it as it is (type stripping) and tsc type-checks it.
 */
import type JSZipType from 'jszip';
import type * as FsTypes from 'node:fs';
import type * as PathTypes from 'node:path';
import type * as ZlibTypes from 'node:zlib';

const fs: typeof FsTypes = require('node:fs');
const path: typeof PathTypes = require('node:path');
const zlib: typeof ZlibTypes = require('node:zlib');
const JSZip: typeof JSZipType = require('jszip');

const ROOT = path.resolve(__dirname, '..');
const ZIP_NAME = 'ensemble-teams.zip';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A fixed date for every zip entry, so the same inputs give the same bytes. */
const ZIP_DATE = new Date(Date.UTC(2025, 0, 1));

const LIMITS = {
  nameShort: 30,
  nameFull: 100,
  descriptionShort: 80,
  descriptionFull: 4000,
  commandTitle: 32,
  commandDescription: 128,
} as const;
const ICON_SIZES = { color: 192, outline: 32 } as const;

export interface PackageTeamsOptions {
  /** Where TEAMS_CLIENT_ID and TEAMS_APP_ID are read; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Folder for the zip; defaults to build/ at the repository root. */
  outDir?: string;
  /** Folder holding manifest.json, its language files and icons; defaults to manifests/teams. */
  manifestDir?: string;
}

export interface PackageTeamsResult {
  zipPath: string;
  /** Names of the files in the zip, in order. */
  files: string[];
  appId: string;
  clientId: string;
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

/** A problem the operator can fix: printed without a stack trace. */
class PackageError extends Error {
  override name = 'PackageError';
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Reads a PNG's size and format from its IHDR chunk. */
function readPngInfo(png: Buffer): PngInfo {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new PackageError('not a PNG file');
  }
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    bitDepth: png[24],
    colorType: png[25],
    interlace: png[28],
  };
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes an 8-bit, non-interlaced greyscale/RGB(A) PNG into RGBA pixels; undefined for other formats
 * (palette, 16-bit, interlaced), which this small reader does not handle.
 */
function decodePngRgba(png: Buffer): Uint8Array | undefined {
  const info = readPngInfo(png);
  const channels = CHANNELS[info.colorType];
  if (info.bitDepth !== 8 || info.interlace !== 0 || channels === undefined) return undefined;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = info.width * channels;
  const pixels = new Uint8Array(info.height * stride);
  for (let y = 0; y < info.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[out + x - channels] : 0;
      const b = y > 0 ? pixels[out - stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[out - stride + x - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[out + x] = (line[x] + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(info.width * info.height * 4);
  for (let i = 0; i < info.width * info.height; i++) {
    const p = pixels.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, alpha] = channels >= 3 ? [p[0], p[1], p[2], channels === 4 ? p[3] : 255] : [p[0], p[0], p[0], channels === 2 ? p[1] : 255];
    rgba.set([r, g, b, alpha], i * 4);
  }
  return rgba;
}

/** Every `${{NAME}}` in the text, replaced from `values`; an unknown name is an error. */
function substitute(text: string, values: Record<string, string>, file: string): string {
  return text.replace(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new PackageError(`${file} uses the placeholder \${{${name}}}, which this script does not know.`);
    return value;
  });
}

function readIds(env: Record<string, string | undefined>): { clientId: string; appId: string } {
  const clientId = env.TEAMS_CLIENT_ID?.trim() ?? '';
  if (!clientId) {
    throw new PackageError(
      "TEAMS_CLIENT_ID is not set: set it (in .env or the environment) to the bot's Microsoft Entra application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000.",
    );
  }
  if (!GUID.test(clientId)) {
    throw new PackageError(`TEAMS_CLIENT_ID must be a GUID (the bot's Microsoft Entra application ID), not "${clientId}".`);
  }
  const appId = env.TEAMS_APP_ID?.trim() || clientId;
  if (!GUID.test(appId)) throw new PackageError(`TEAMS_APP_ID must be a GUID (or be left unset to reuse TEAMS_CLIENT_ID), not "${appId}".`);
  return { clientId: clientId.toLowerCase(), appId: appId.toLowerCase() };
}

function readFile(dir: string, name: string): Buffer {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw new PackageError(`${path.relative(process.cwd(), file) || file} is missing.`);
  return fs.readFileSync(file);
}

/** The parts of a Teams app manifest this script reads: everything is checked, so nothing is assumed. */
interface TeamsManifest {
  manifestVersion?: unknown;
  id?: unknown;
  name?: { short?: unknown; full?: unknown };
  description?: { short?: unknown; full?: unknown };
  bots?: Array<{ botId?: unknown; commandLists?: Array<{ commands?: Array<{ title?: unknown; description?: unknown }> }> }>;
  icons?: Record<string, unknown>;
  localizationInfo?: { additionalLanguages?: Array<{ file?: unknown }> };
}

/** A language file: dotted keys to strings. */
type LanguageStrings = Record<string, unknown>;

function parseJson<T>(text: string, name: string): T {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PackageError(`${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Appends a problem when `value` is not a string of 1 to `max` characters. */
function checkText(problems: string[], where: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') problems.push(`${where} is missing.`);
  else if ([...value].length > max) problems.push(`${where} has ${[...value].length} characters; the limit is ${max}.`);
}

const LOCALIZED_KEY = /^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$/;

/** Checks the manifest, its language files and icons; returns the problems found (empty when all is well). */
function validate(manifest: TeamsManifest, languages: Map<string, LanguageStrings>, icons: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  if (manifest.manifestVersion !== '1.19') problems.push(`manifest.json: manifestVersion is "${manifest.manifestVersion}", expected "1.19".`);
  if (!GUID.test(String(manifest.id))) problems.push('manifest.json: id is not a GUID after substitution.');
  checkText(problems, 'manifest.json: name.short', manifest.name?.short, LIMITS.nameShort);
  checkText(problems, 'manifest.json: name.full', manifest.name?.full, LIMITS.nameFull);
  checkText(problems, 'manifest.json: description.short', manifest.description?.short, LIMITS.descriptionShort);
  checkText(problems, 'manifest.json: description.full', manifest.description?.full, LIMITS.descriptionFull);

  const bot = manifest.bots?.[0];
  if (!bot) problems.push('manifest.json: bots[0] is missing.');
  else {
    if (!GUID.test(String(bot.botId))) problems.push('manifest.json: bots[0].botId is not a GUID after substitution.');
    for (const [i, list] of (bot.commandLists ?? []).entries()) {
      for (const [j, command] of (list.commands ?? []).entries()) {
        const where = `manifest.json: bots[0].commandLists[${i}].commands[${j}]`;
        checkText(problems, `${where}.title`, command.title, LIMITS.commandTitle);
        checkText(problems, `${where}.description`, command.description, LIMITS.commandDescription);
      }
    }
  }

  for (const [name, strings] of languages) {
    checkText(problems, `${name}: name.short`, strings['name.short'], LIMITS.nameShort);
    checkText(problems, `${name}: name.full`, strings['name.full'], LIMITS.nameFull);
    checkText(problems, `${name}: description.short`, strings['description.short'], LIMITS.descriptionShort);
    checkText(problems, `${name}: description.full`, strings['description.full'], LIMITS.descriptionFull);
    for (const [key, value] of Object.entries(strings)) {
      const m = LOCALIZED_KEY.exec(key);
      if (!m) continue;
      const command = bot?.commandLists?.[Number(m[1])]?.commands?.[Number(m[2])];
      if (!command) problems.push(`${name}: "${key}" names a command that manifest.json does not have.`);
      else checkText(problems, `${name}: ${key}`, value, m[3] === 'title' ? LIMITS.commandTitle : LIMITS.commandDescription);
    }
  }

  for (const [kind, size] of Object.entries(ICON_SIZES)) {
    const icon = manifest.icons?.[kind];
    const name = typeof icon === 'string' ? icon : undefined;
    const png = name ? icons.get(name) : undefined;
    if (!png) {
      problems.push(`manifest.json: icons.${kind} is missing.`);
      continue;
    }
    let info: PngInfo;
    try {
      info = readPngInfo(png);
    } catch {
      problems.push(`${name} is not a PNG file.`);
      continue;
    }
    if (info.width !== size || info.height !== size) problems.push(`${name} is ${info.width}x${info.height}; Teams wants ${size}x${size}.`);
    if (kind === 'outline') {
      const rgba = decodePngRgba(png);
      if (rgba) {
        for (let i = 0; i < rgba.length; i += 4) {
          if (rgba[i + 3] !== 0 && (rgba[i] !== 255 || rgba[i + 1] !== 255 || rgba[i + 2] !== 255)) {
            problems.push(`${name} must be white on transparent; a pixel is rgb(${rgba[i]}, ${rgba[i + 1]}, ${rgba[i + 2]}).`);
            break;
          }
        }
      }
    }
  }
  return problems;
}

/** Checks and zips the Teams app package; throws PackageError (nothing written) when something is wrong. */
async function packageTeams(options: PackageTeamsOptions = {}): Promise<PackageTeamsResult> {
  const env = options.env ?? process.env;
  const manifestDir = options.manifestDir ?? path.join(ROOT, 'manifests', 'teams');
  const outDir = options.outDir ?? path.join(ROOT, 'build');
  const { clientId, appId } = readIds(env);

  const manifestText = substitute(readFile(manifestDir, 'manifest.json').toString('utf8'), { TEAMS_APP_ID: appId, TEAMS_CLIENT_ID: clientId }, 'manifest.json');
  const manifest = parseJson<TeamsManifest>(manifestText, 'manifest.json');

  const languages = new Map<string, LanguageStrings>();
  const languageTexts = new Map<string, string>();
  for (const language of manifest.localizationInfo?.additionalLanguages ?? []) {
    const name = String(language.file);
    const text = readFile(manifestDir, name).toString('utf8');
    languages.set(name, parseJson<LanguageStrings>(text, name));
    languageTexts.set(name, text);
  }
  const icons = new Map<string, Buffer>();
  for (const name of [manifest.icons?.color, manifest.icons?.outline]) {
    if (typeof name === 'string') icons.set(name, readFile(manifestDir, name));
  }

  const problems = validate(manifest, languages, icons);
  if (problems.length > 0) throw new PackageError(`The Teams package is not valid:\n  - ${problems.join('\n  - ')}`);

  const zip = new JSZip();
  const files: string[] = [];
  const add = (name: string, content: string | Buffer) => {
    zip.file(name, content, { date: ZIP_DATE, createFolders: false });
    files.push(name);
  };
  add('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [name, text] of languageTexts) add(name, text);
  for (const [name, png] of icons) add(name, png);
  const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });

  fs.mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, ZIP_NAME);
  fs.writeFileSync(zipPath, bytes);
  return { zipPath, files, appId, clientId };
}

async function main(): Promise<void> {
  const envFile = path.join(ROOT, '.env');
  if (fs.existsSync(envFile)) require('dotenv').config({ path: envFile, quiet: true });
  try {
    const result = await packageTeams();
    process.stdout.write(
      `${path.relative(process.cwd(), result.zipPath) || result.zipPath}\n` +
        `  ${result.files.join(', ')}; app id ${result.appId}, bot id ${result.clientId}\n` +
        '  Upload it in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin centre.\n',
    );
  } catch (e) {
    if (e instanceof PackageError) {
      process.stderr.write(`package-teams: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

const api = { packageTeams, readPngInfo, decodePngRgba, PackageError, ZIP_NAME, LIMITS, ICON_SIZES };
/** What `require('scripts/package-teams.ts')` gives; type it with `import type { PackageTeamsModule }`. */
export type PackageTeamsModule = typeof api;
module.exports = api;
if (require.main === module) void main();
