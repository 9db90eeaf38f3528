import type { FakeSlack } from './fake-slack';
import type { FakeTeams } from './fake-teams';
import { allText, type TestBot } from './harness';
import { blockActionBody, slackHeaders, slashCommandBody } from './slack-request';
import { cardActionActivity, messageActivity, type TeamsUser } from './teams-activity';

/** What a conversation talks through: the bot under test and the fake platforms it answers on. */
export interface Parties {
  bot: TestBot;
  slack?: FakeSlack;
  teams?: FakeTeams;
}

/**
 * People talking to the bot, as the end-to-end tests do it: signed Slack commands and clicks whose
 * replies come back through a response_url, Teams messages and card actions. The variants differ only
 * in what they check (an HTTP 200, or nothing) and in what they return; each says which.
 *
 * `parties` may be a function: the tests start the bot in `beforeAll`, after the helpers are made, so
 * `const { slashReply, click } = talk(() => ({ bot, slack, teams }))` can sit at the top of a `describe`.
 * Response-url ids come from one counter per `talk()`: `${prefix}${n}`.
 */
export function talk(parties: Parties | (() => Parties)) {
  const get = typeof parties === 'function' ? parties : () => parties;
  let n = 0;
  const slackOf = (): FakeSlack => {
    const { slack } = get();
    if (!slack) throw new Error('this conversation has no fake Slack');
    return slack;
  };
  const teamsOf = (): FakeTeams => {
    const { teams } = get();
    if (!teams) throw new Error('this conversation has no fake Teams');
    return teams;
  };

  /** A response_url id not used before in this conversation. */
  const nextId = (prefix: string): string => `${prefix}${++n}`;

  /** Posts "/ensemble <text>" from `user`, its reply due at response_url `id`; returns the HTTP status (not checked). */
  async function postSlash(user: string, text: string, id: string): Promise<number> {
    const body = slashCommandBody({ text, user, responseUrl: slackOf().responseUrl(id) });
    return (await get().bot.post('/slack/events', body, slackHeaders(body))).status;
  }

  /** Posts a click on a button of a message (block_actions) from `user`, its reply due at response_url `id`; returns the HTTP status (not checked). */
  async function postClick(user: string, actionId: string, value: Record<string, string>, id: string): Promise<number> {
    const body = blockActionBody({ actionId, value: JSON.stringify(value), user, responseUrl: slackOf().responseUrl(id) });
    return (await get().bot.post('/slack/events', body, slackHeaders(body))).status;
  }

  /** Sends a Teams message from `user` in their personal chat; returns the HTTP status and the activities the bot had sent there before. */
  async function postTeamsMessage(user: TeamsUser, text: string, entities?: unknown[]): Promise<{ status: number; before: number }> {
    const teams = teamsOf();
    const before = teams.sent(`a:${user.id}`).length;
    const res = await get().bot.post('/api/messages', messageActivity(teams.url, user, text, { entities }));
    return { status: res.status, before };
  }

  return {
    nextId,

    // Slack -------------------------------------------------------------------------------------

    /** A command, acknowledged with 200 (checked); does not wait for its reply. Returns its response_url id and the request body. */
    async slash(user: string, text: string): Promise<{ id: string; body: string }> {
      const id = nextId('c');
      const body = slashCommandBody({ text, user, responseUrl: slackOf().responseUrl(id) });
      const res = await get().bot.post('/slack/events', body, slackHeaders(body));
      expect(res.status).toBe(200);
      return { id, body };
    },

    /** A command and its first reply: the HTTP status (not checked) and the reply's body. */
    async slashWithStatus(user: string, text: string): Promise<{ status: number; reply: any }> {
      const id = nextId('c');
      const status = await postSlash(user, text, id);
      const [reply] = await slackOf().waitForResponse(id);
      return { status, reply: reply.body };
    },

    /** A command, acknowledged with 200 (checked): its first reply's body. */
    async slashReply(user: string, text: string): Promise<any> {
      const id = nextId('c');
      expect(await postSlash(user, text, id)).toBe(200);
      return (await slackOf().waitForResponse(id))[0].body;
    },

    /** A command, acknowledged with 200 (checked): its first reply's text. */
    async slashText(user: string, text: string): Promise<string> {
      const id = nextId('c');
      expect(await postSlash(user, text, id)).toBe(200);
      const [reply] = await slackOf().waitForResponse(id);
      return reply.body.text as string;
    },

    /** A click, acknowledged with 200 (checked): its first reply's body. */
    async click(user: string, actionId: string, value: Record<string, string>): Promise<any> {
      const id = nextId('a');
      expect(await postClick(user, actionId, value, id)).toBe(200);
      return (await slackOf().waitForResponse(id))[0].body;
    },

    /** A click, acknowledged with 200 (checked): the bodies of every reply received by the time the first is in. */
    async clickReplies(user: string, actionId: string, value: Record<string, string>): Promise<any[]> {
      const id = nextId('a');
      expect(await postClick(user, actionId, value, id)).toBe(200);
      return (await slackOf().waitForResponse(id)).map((r) => r.body);
    },

    // Teams -------------------------------------------------------------------------------------

    /** A message, answered with 200 (checked): the body of the first activity the bot sent in answer. */
    async teamsSay(user: TeamsUser, text: string): Promise<any> {
      const { status, before } = await postTeamsMessage(user, text);
      expect(status).toBe(200);
      const sent = await teamsOf().waitForSent(`a:${user.id}`, before + 1);
      return sent[before].body;
    },

    /** A message (status not checked): the body of the latest activity the bot sent in that chat once it answered. */
    async teamsSayLast(user: TeamsUser, text: string): Promise<any> {
      const { before } = await postTeamsMessage(user, text);
      const sent = await teamsOf().waitForSent(`a:${user.id}`, before + 1);
      return sent[sent.length - 1].body;
    },

    /**
     * A message, with mention entities if any, answered with 200 (checked): all the text of the card in the
     * latest activity the bot sent in that chat once it answered.
     */
    async teamsSayText(user: TeamsUser, text: string, entities?: unknown[]): Promise<string> {
      const { status, before } = await postTeamsMessage(user, text, entities);
      expect(status).toBe(200);
      const sent = await teamsOf().waitForSent(`a:${user.id}`, before + 1);
      return allText(sent[sent.length - 1].body.attachments[0].content);
    },

    /**
     * A card action (Action.Execute, invoke) from `user`; `trigger` 'automatic' is a card refresh. Returns the
     * HTTP answer as is (status not checked). `data` may hold anything, to try what the edge refuses.
     */
    async teamsAction(user: TeamsUser, verb: string, data: Record<string, unknown>, trigger = 'manual'): Promise<{ status: number; body: any }> {
      const activity: any = cardActionActivity(teamsOf().url, user, verb, data as Record<string, string>);
      activity.value.trigger = trigger;
      return get().bot.post('/api/messages', activity);
    },

    /** A card action, answered with 200 (checked): the card that replaces the clicked one, or undefined when the answer came as a message. */
    async teamsActCard(user: TeamsUser, verb: string, data: Record<string, string>): Promise<any> {
      const res = await get().bot.post('/api/messages', cardActionActivity(teamsOf().url, user, verb, data));
      expect(res.status).toBe(200);
      return res.body?.type === 'application/vnd.microsoft.card.adaptive' ? res.body.value : undefined;
    },
  };
}

export type Talk = ReturnType<typeof talk>;
