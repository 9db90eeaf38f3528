import { BroadcastCards } from '../../src/app/broadcasts/cards';
import { linkToken, readLinkToken } from '../../src/app/broadcasts/links';
import { broadcastLinks } from '../../src/domain/broadcasts';
import type { Store } from '../../src/domain/ports';
import { I18n } from '../../src/i18n';

const SECRET = 'a-secret-of-the-store-0123456789abcdef';

describe('counted links: tokens and cards', () => {
  test('a token reads back what it was made for; changed, signed with another secret or malformed, it reads as nothing', () => {
    const ref = { broadcastId: 12, personId: 'teams:0b1c/4444-aaaa', link: 1 };
    const token = linkToken(SECRET, ref);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(readLinkToken(SECRET, token)).toEqual(ref);
    expect(readLinkToken('another-secret', token)).toBeNull();
    const [id, link, person, mac] = token.split('.');
    expect(readLinkToken(SECRET, [id, '0', person, mac].join('.'))).toBeNull();
    expect(readLinkToken(SECRET, ['13', link, person, mac].join('.'))).toBeNull();
    expect(readLinkToken(SECRET, [id, link, Buffer.from('slack:T1/U1').toString('base64url'), mac].join('.'))).toBeNull();
    for (const bad of ['', 'x', `${token}x`, `${id}.${link}.${person}`, 'https://evil.example']) expect(readLinkToken(SECRET, bad)).toBeNull();
  });

  test('the links a token can lead to: the button (0), then the message’s own, in order', () => {
    expect(broadcastLinks({ message: 'Voir [a](https://a.fr/1) et [b](http://b.fr/2), pas [c](javascript:x)', link: { label: 'L', url: 'https://l.fr' } })).toEqual([
      'https://l.fr',
      'https://a.fr/1',
      'http://b.fr/2',
    ]);
    expect(broadcastLinks({ message: 'Sans lien' })).toEqual([undefined]);
  });

  test('cards: one per recipient only where a link carries a token; the Slack button stays the organiser’s address', () => {
    const store = { broadcasts: { linkSecret: async () => SECRET } } as unknown as Store;
    const cards = new BroadcastCards(store, new I18n('fr'), 'https://ensemble.exemple.fr');
    const b = { id: 3, message: 'Bonjour', link: { label: 'Lire', url: 'https://exemple.fr/x' }, ack: 'counted' as const };
    expect(cards.perRecipient(b, { platform: 'teams' })).toBe(true);
    expect(cards.perRecipient(b, { platform: 'slack' })).toBe(false);
    expect(cards.perRecipient({ ...b, message: 'Voir [ici](https://exemple.fr/y)' }, { platform: 'slack' })).toBe(true);
    expect(new BroadcastCards(store, new I18n('fr'), undefined).perRecipient(b, { platform: 'teams' })).toBe(false);
    const slack = JSON.stringify(cards.forPerson(b, { id: 'slack:T1/U1', platform: 'slack' }, 'fr', SECRET));
    expect(slack).toContain('"url":"https://exemple.fr/x"');
    expect(slack).toContain('"verb":"broadcast.click"');
    const teams = JSON.stringify(cards.forPerson(b, { id: 'teams:T/a', platform: 'teams' }, 'fr', SECRET));
    expect(teams).not.toContain('https://exemple.fr/x');
    expect(teams).toContain('https://ensemble.exemple.fr/r/3.0.');
    expect(teams).toContain('J’ai lu');
    expect(JSON.stringify(cards.forChannel(b, 'fr'))).not.toContain('broadcast.ack');
  });
});
