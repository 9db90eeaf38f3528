import { communitySlug } from '../../../src/domain/communities';

describe('community ids made from names', () => {
  test('folded to a slug', () => {
    expect(communitySlug('Groupe « Accueil des usagers »')).toBe('groupe-accueil-des-usagers');
    expect(communitySlug('   ')).toBe('communaute');
  });

  test('a name that is a sub-command word of `communaute` gets a suffix (its card stays reachable)', () => {
    expect(communitySlug('Nouvelle')).toBe('nouvelle-groupe');
    expect(communitySlug('Créer')).toBe('creer-groupe');
    expect(communitySlug('New')).toBe('new-groupe');
  });
});
