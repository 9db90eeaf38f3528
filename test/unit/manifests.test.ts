import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { parse } from 'yaml';
import type { PackageTeamsModule } from '../../scripts/package-teams';
import { resolve } from '../support/routes';

// The scripts are CommonJS (so that Node runs them as they are); their types come from `import type`.
const { packageTeams, readPngInfo, decodePngRgba, LIMITS, ZIP_NAME }: PackageTeamsModule = require('../../scripts/package-teams');
const icons: {
  drawColorIcon(): { width: number; height: number; data: Uint8Array };
  drawOutlineIcon(): { width: number; height: number; data: Uint8Array };
} = require('../../scripts/make-icons');

const ROOT = path.resolve(__dirname, '..', '..');
const SLACK_MANIFEST = path.join(ROOT, 'manifests', 'slack', 'manifest.yaml');
const TEAMS_DIR = path.join(ROOT, 'manifests', 'teams');
const CLIENT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const APP_ID = 'f0e1d2c3-b4a5-4968-8776-655443322110';
// The commands the manifests advertise; each must be understood by the bot (checked below).
const COMMANDS = ['aide', 'idee', 'idees', 'agenda', 'chiffres', 'inspire-moi', 'role'];

const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(TEAMS_DIR, file), 'utf8'));

describe('Slack app manifest', () => {
  const manifest = parse(fs.readFileSync(SLACK_MANIFEST, 'utf8'));
  const pathOf = (url: string) => new URL(url).pathname;

  it('declares the /ensemble command on /slack/events', () => {
    const commands = manifest.features.slash_commands;
    expect(commands).toHaveLength(1);
    const [command] = commands;
    expect(command.command).toBe('/ensemble');
    expect(pathOf(command.url)).toBe('/slack/events');
    expect(command.should_escape).toBe(true);
    for (const word of String(command.usage_hint)
      .split('|')
      .map((w: string) => w.trim().split(' ')[0])) {
      expect(resolve(word)).toHaveProperty('command');
    }
    expect(command.description.length).toBeGreaterThan(0);
  });

  it('sends events and interactions to /slack/events', () => {
    const { event_subscriptions: events, interactivity } = manifest.settings;
    expect(interactivity.is_enabled).toBe(true);
    expect(pathOf(interactivity.request_url)).toBe('/slack/events');
    expect(pathOf(events.request_url)).toBe('/slack/events');
    expect(events.bot_events).toEqual(expect.arrayContaining(['app_home_opened', 'app_uninstalled', 'tokens_revoked', 'user_change', 'member_joined_channel', 'message.im']));
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
  });

  it('enables the Home tab and a writable Messages tab for the bot user', () => {
    expect(manifest.features.app_home).toEqual({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false });
    expect(manifest.features.bot_user).toEqual({ display_name: 'Ensemble', always_online: true });
  });

  it('asks for the scopes its events need', () => {
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    expect(scopes).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'chat:write.public',
        'im:write',
        'im:history',
        'users:read',
        'users:read.email',
        'files:write',
        'channels:read',
        'groups:read',
        'team:read',
      ]),
    );
    expect(new Set(scopes).size).toBe(scopes.length);
  });

  it('keeps the display information within Slack limits', () => {
    const info = manifest.display_information;
    expect(info.name).toBe('Ensemble');
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(175);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  });
});

describe('Teams app manifest', () => {
  const manifest = readJson('manifest.json');
  const bot = manifest.bots[0];

  it('targets manifest schema 1.19 with placeholders for the ids', () => {
    expect(manifest.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json');
    expect(manifest.manifestVersion).toBe('1.19');
    // the placeholders of the Teams manifest's own syntax, replaced when the package is built
    const placeholder = (name: string) => `\${{${name}}}`;
    expect(manifest.id).toBe(placeholder('TEAMS_APP_ID'));
    expect(bot.botId).toBe(placeholder('TEAMS_CLIENT_ID'));
    expect(manifest.validDomains).toEqual([]);
  });

  it('keeps names and descriptions within Teams limits', () => {
    expect(manifest.name.short).toBe('Ensemble');
    expect(manifest.name.short.length).toBeLessThanOrEqual(LIMITS.nameShort);
    expect(manifest.name.full.length).toBeLessThanOrEqual(LIMITS.nameFull);
    expect(manifest.description.short.length).toBeLessThanOrEqual(LIMITS.descriptionShort);
    expect(manifest.description.full.length).toBeLessThanOrEqual(LIMITS.descriptionFull);
  });

  it('offers the bot in personal, team and group chat scopes, with files', () => {
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(true);
    expect(bot.isNotificationOnly).toBe(false);
  });

  it('lists the same commands for each scope, with short titles and descriptions', () => {
    expect(bot.commandLists.flatMap((l: { scopes: string[] }) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) {
      expect(list.commands.map((c: { title: string }) => c.title)).toEqual(COMMANDS);
      for (const c of list.commands) expect(resolve(c.title)).toHaveProperty('command');
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(LIMITS.commandTitle);
        expect(command.description.length).toBeGreaterThan(0);
        expect(command.description.length).toBeLessThanOrEqual(LIMITS.commandDescription);
      }
    }
  });

  it('has a 192x192 colour icon and a 32x32 white-on-transparent outline icon', () => {
    const color = fs.readFileSync(path.join(TEAMS_DIR, manifest.icons.color));
    const outline = fs.readFileSync(path.join(TEAMS_DIR, manifest.icons.outline));
    expect(readPngInfo(color)).toMatchObject({ width: 192, height: 192 });
    expect(readPngInfo(outline)).toMatchObject({ width: 32, height: 32 });

    const pixels = decodePngRgba(outline)!;
    let drawn = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i + 3] === 0) continue;
      drawn++;
      expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([255, 255, 255]);
    }
    expect(drawn).toBeGreaterThan(50);
  });

  it('ships the icons that scripts/make-icons.ts draws', () => {
    expect(decodePngRgba(fs.readFileSync(path.join(TEAMS_DIR, 'color.png')))).toEqual(icons.drawColorIcon().data);
    expect(decodePngRgba(fs.readFileSync(path.join(TEAMS_DIR, 'outline.png')))).toEqual(icons.drawOutlineIcon().data);
  });

  describe('en-us localization', () => {
    const info = manifest.localizationInfo;
    const en = readJson('en-us.json');
    const KEY = /^bots\[0\]\.commandLists\[(\d)\]\.commands\[(\d)\]\.(title|description)$/;

    it('is declared in the manifest, with French as the default language', () => {
      expect(info.defaultLanguageTag).toBe('fr-fr');
      expect(info.additionalLanguages).toEqual([{ languageTag: 'en-us', file: 'en-us.json' }]);
      expect(en.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.Localization.schema.json');
    });

    it('translates the names and descriptions within the limits', () => {
      expect(en['name.short'].length).toBeLessThanOrEqual(LIMITS.nameShort);
      expect(en['name.full'].length).toBeLessThanOrEqual(LIMITS.nameFull);
      expect(en['description.short'].length).toBeLessThanOrEqual(LIMITS.descriptionShort);
      expect(en['description.full'].length).toBeLessThanOrEqual(LIMITS.descriptionFull);
      expect(en['description.short']).not.toBe(manifest.description.short);
    });

    it('uses only keys the localization schema allows, each naming an existing command', () => {
      for (const key of Object.keys(en)) {
        if (['$schema', 'name.short', 'name.full', 'description.short', 'description.full'].includes(key)) continue;
        const m = KEY.exec(key);
        expect(m).not.toBeNull();
        const command = bot.commandLists[Number(m![1])]?.commands[Number(m![2])];
        expect(command).toBeDefined();
        if (m![3] === 'title') {
          // Teams sends the localized title as the message text: the words stay those the bot understands.
          expect(en[key]).toBe(command.title);
        } else {
          expect(en[key].length).toBeLessThanOrEqual(LIMITS.commandDescription);
        }
      }
    });

    it('describes every command in English', () => {
      bot.commandLists.forEach((list: { commands: unknown[] }, i: number) => {
        for (const [j] of list.commands.entries()) expect(en[`bots[0].commandLists[${i}].commands[${j}].description`]).toEqual(expect.any(String));
      });
    });
  });
});

describe('packageTeams', () => {
  let outDir: string;
  beforeEach(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ensemble-teams-'));
  });
  afterEach(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('zips the manifest with the ids substituted, the language file and the icons', async () => {
    const result = await packageTeams({ env: { TEAMS_CLIENT_ID: CLIENT_ID }, outDir });
    expect(result.zipPath).toBe(path.join(outDir, ZIP_NAME));

    const zip = await JSZip.loadAsync(fs.readFileSync(result.zipPath));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'en-us.json', 'manifest.json', 'outline.png']);
    const text = await zip.file('manifest.json')!.async('string');
    expect(text).not.toContain('${{');
    const manifest = JSON.parse(text);
    expect(manifest.id).toBe(CLIENT_ID);
    expect(manifest.bots[0].botId).toBe(CLIENT_ID);
    expect(await zip.file('en-us.json')!.async('string')).toBe(fs.readFileSync(path.join(TEAMS_DIR, 'en-us.json'), 'utf8'));
    expect(await zip.file('color.png')!.async('nodebuffer')).toEqual(fs.readFileSync(path.join(TEAMS_DIR, 'color.png')));
    expect(await zip.file('outline.png')!.async('nodebuffer')).toEqual(fs.readFileSync(path.join(TEAMS_DIR, 'outline.png')));
  });

  it('uses TEAMS_APP_ID for the app id when it is set', async () => {
    const result = await packageTeams({ env: { TEAMS_CLIENT_ID: CLIENT_ID, TEAMS_APP_ID: APP_ID }, outDir });
    const manifest = JSON.parse(await (await JSZip.loadAsync(fs.readFileSync(result.zipPath))).file('manifest.json')!.async('string'));
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(CLIENT_ID);
  });

  it('names TEAMS_CLIENT_ID when it is missing or not a GUID, and writes nothing', async () => {
    await expect(packageTeams({ env: {}, outDir })).rejects.toThrow(/TEAMS_CLIENT_ID is not set/);
    await expect(packageTeams({ env: { TEAMS_CLIENT_ID: '  ' }, outDir })).rejects.toThrow(/TEAMS_CLIENT_ID/);
    await expect(packageTeams({ env: { TEAMS_CLIENT_ID: 'my-bot' }, outDir })).rejects.toThrow(/TEAMS_CLIENT_ID must be a GUID/);
    await expect(packageTeams({ env: { TEAMS_CLIENT_ID: CLIENT_ID, TEAMS_APP_ID: 'app' }, outDir })).rejects.toThrow(/TEAMS_APP_ID must be a GUID/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('refuses a manifest with a too-long command title or a wrong-sized icon', async () => {
    const manifestDir = path.join(outDir, 'teams');
    fs.cpSync(TEAMS_DIR, manifestDir, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'));
    manifest.bots[0].commandLists[1].commands[2].title = 'x'.repeat(LIMITS.commandTitle + 1);
    fs.writeFileSync(path.join(manifestDir, 'manifest.json'), JSON.stringify(manifest));
    fs.copyFileSync(path.join(TEAMS_DIR, 'outline.png'), path.join(manifestDir, 'color.png'));

    const attempt = packageTeams({ env: { TEAMS_CLIENT_ID: CLIENT_ID }, outDir, manifestDir });
    await expect(attempt).rejects.toThrow(/bots\[0\]\.commandLists\[1\]\.commands\[2\]\.title has 33 characters; the limit is 32/);
    await expect(attempt).rejects.toThrow(/color\.png is 32x32; Teams wants 192x192/);
    expect(fs.existsSync(path.join(outDir, ZIP_NAME))).toBe(false);
  });
});
