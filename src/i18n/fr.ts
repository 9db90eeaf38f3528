/** Messages in French, the bot's first language. Keys must match en.ts (a test checks it). */
export const fr = {
  menu: {
    title: 'Ensemble · {{programme}}',
    intro:
      "Bonjour {{name}} ! Je suis Ensemble, le bot du programme participatif. Ici, sans quitter votre messagerie, vous pouvez proposer des idées, soutenir celles des collègues, suivre les journées et le OFF, et devenir ambassadeur.",
    axesTitle: 'Les {{count}} axes de travail',
    axis: 'Axe {{number}}',
    commandsTitle: 'Ce que vous pouvez me demander',
    commandsSlack: '`/ensemble aide` ce menu · `/ensemble inspire-moi` une contrainte créative · `/ensemble role` vos rôles',
    commandsTeams: '**aide** ce menu · **inspire-moi** une contrainte créative · **role** vos rôles',
    rolesLine: 'Vos rôles : {{roles}}',
    inspire: 'Inspire-moi',
    help: 'Aide',
    myRoles: 'Mes rôles',
    fallback: 'Ensemble, le bot du programme {{programme}} : tapez « aide » pour voir ce que je sais faire.',
  },
  welcome: {
    title: 'Bienvenue dans {{programme}} !',
    text: "Merci d'avoir ajouté Ensemble. Je vous tiendrai au courant des journées et du OFF, et je recueillerai vos idées. Écrivez « aide » à tout moment.",
    fallback: 'Bienvenue ! Écrivez « aide » pour découvrir Ensemble.',
  },
  home: {
    title: 'Ensemble · {{programme}}',
    fallback: "Accueil d'Ensemble",
  },
  inspire: {
    title: 'Contrainte créative',
    again: 'Une autre !',
    fallback: 'Contrainte créative : {{text}}',
  },
  unknown: {
    text: 'Je ne connais pas « {{word}} ».',
    suggestion: 'Vouliez-vous dire « {{suggestion}} » ?',
    hint: 'Tapez « aide » pour voir ce que je sais faire.',
  },
  roles: {
    agent: 'agent',
    pilote: 'pilote de l’axe {{axis}}',
    organisateur: 'organisateur',
    none: 'agent (aucun rôle particulier)',
    mine: 'Vos rôles : {{roles}}.',
    granted: 'C’est fait : {{who}} est désormais {{role}}.',
    revoked: 'C’est fait : {{who}} n’est plus {{role}}.',
    listTitle: 'Rôles du programme',
    listEmpty: 'Personne n’a encore de rôle : ajoutez des organisateurs et des pilotes dans le fichier du programme ou avec « role ajouter ».',
    usage:
      'Utilisation : « role » (vos rôles) · « role liste » · « role ajouter <@personne|e-mail> <pilote|organisateur> [axe] » · « role retirer <@personne|e-mail> <pilote|organisateur> [axe] »',
  },
  errors: {
    title: 'Oups',
    generic: 'Quelque chose s’est mal passé de mon côté. Réessayez dans un instant ; si cela persiste, prévenez l’équipe du programme.',
    invalidInput: 'Je n’ai pas compris cette demande : {{detail}}',
    axis: {
      unknown: 'Je ne connais pas l’axe « {{axis}} ». Axes possibles : {{axes}}.',
    },
    role: {
      organiserOnly: 'Seuls les organisateurs du programme peuvent gérer les rôles.',
      axisRequired: 'Précisez l’axe du pilote : {{axes}}.',
      noAxisForOrganiser: 'Le rôle organisateur ne porte pas sur un axe : retirez l’axe.',
      selfRevoke: 'Vous ne pouvez pas retirer votre propre rôle d’organisateur : demandez-le à un autre organisateur.',
      notHeld: 'Cette personne n’a pas ce rôle.',
      unknownRole: 'Rôle inconnu « {{role}} » : pilote ou organisateur.',
      unknownPerson:
        'Je ne trouve pas cette personne. Mentionnez-la (@…) si elle a déjà écrit au bot, ou donnez son adresse e-mail.',
    },
    command: {
      tooLong: 'Ce message est trop long ({{max}} caractères au plus).',
    },
  },
} as const;

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
export type Messages = Widen<typeof fr>;
