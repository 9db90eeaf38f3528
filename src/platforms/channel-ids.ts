import type { Platform } from '../domain/people';
import type { ChannelIds } from '../domain/ports';
import { isSlackChannelId } from './slack/ids';
import { isTeamsChannelId } from './teams/ids';

/** Each platform recognises its own channel ids; the domain asks which one a typed id belongs to. */
export const channelIds: ChannelIds = {
  platformOf(channel: string): Platform | undefined {
    if (isSlackChannelId(channel)) return 'slack';
    if (isTeamsChannelId(channel)) return 'teams';
    return undefined;
  },
};
