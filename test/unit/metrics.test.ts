import { Metrics } from '../../src/http/metrics';
import { teamsRequestKind } from '../../src/platforms/request-kind';

const clock = { now: () => new Date('2026-03-01T09:00:00Z') };

describe('Metrics', () => {
  test('sends, temporary and permanent failures and 429s are counted apart; job lag is in seconds', async () => {
    const m = new Metrics({ clock });
    m.attempted('slack', 'bulk', { ok: true });
    m.attempted('slack', 'bulk', { ok: false, permanent: true, reason: 'slack is_archived' });
    m.attempted('slack', 'bulk', { ok: false, permanent: false, reason: 'slack ratelimited', rateLimited: true });
    m.attempted('teams', 'reply', { ok: false, permanent: false, reason: 'teams 503' });
    m.jobLate('broadcast', 2500);
    m.jobLate('broadcast', -10);
    const text = await m.text();
    expect(text).toContain('ensemble_sends_total{platform="slack",lane="bulk"} 1');
    expect(text).toContain('ensemble_send_failures_total{platform="slack",lane="bulk",permanent="true"} 1');
    expect(text).toContain('ensemble_send_failures_total{platform="slack",lane="bulk",permanent="false"} 1');
    expect(text).toContain('ensemble_send_failures_total{platform="teams",lane="reply",permanent="false"} 1');
    expect(text).toContain('ensemble_rate_limited_total{platform="slack",lane="bulk"} 1');
    expect(text).not.toContain('ensemble_rate_limited_total{platform="teams"');
    expect(text).toContain('ensemble_job_lag_seconds_sum{kind="broadcast"} 2.5');
    expect(text).toContain('ensemble_job_lag_seconds_count{kind="broadcast"} 2');
  });

  test('an outbox that cannot be read leaves the gauge out and is told; the scrape still answers', async () => {
    const errors: unknown[] = [];
    const m = new Metrics({
      clock,
      outboxDepth: async () => {
        throw new Error('store down');
      },
      onDepthError: (e) => errors.push(e),
    });
    const text = await m.text();
    expect(text).not.toMatch(/^ensemble_outbox_messages\{/m);
    expect(errors).toHaveLength(1);
  });

  test('the outbox is read at the scrape time of the clock given', async () => {
    const seen: Date[] = [];
    const m = new Metrics({
      clock,
      outboxDepth: async (now) => {
        seen.push(now);
        return [{ lane: 'bulk', state: 'leased', count: 3 }];
      },
    });
    const text = await m.text();
    expect(seen.map((d) => d.toISOString())).toEqual(['2026-03-01T09:00:00.000Z']);
    expect(text).toContain('ensemble_outbox_messages{lane="bulk",state="leased"} 3');
    expect(text).toContain('ensemble_outbox_messages{lane="reply",state="pending"} 0');
  });
});

describe('teamsRequestKind', () => {
  test.each([
    [{ type: 'message', text: 'aide' }, 'message'],
    [{ type: 'message', value: { verb: 'inspire.show' } }, 'action'],
    [{ type: 'invoke', name: 'adaptiveCard/action' }, 'action'],
    [{ type: 'invoke', name: 'fileConsent/invoke' }, 'file_consent'],
    [{ type: 'invoke', name: 'task/fetch' }, 'invoke'],
    [{ type: 'conversationUpdate' }, 'conversation_update'],
    [{ type: 'installationUpdate' }, 'installation_update'],
    [{ type: 'a name chosen by the sender' }, 'other'],
    [{}, 'invalid'],
    [null, 'invalid'],
  ])('%j is %s (a fixed set of kinds, never text from the request)', (activity, kind) => {
    expect(teamsRequestKind(activity)).toBe(kind);
  });
});
