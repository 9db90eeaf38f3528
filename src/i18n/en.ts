import type { Messages } from './fr';

/** Messages in English. */
export const en: Messages = {
  menu: {
    title: 'Ensemble · {{programme}}',
    intro:
      "Hello {{name}}! I'm Ensemble, the participation programme's bot. Right here in your chat you can propose ideas, support your colleagues' ideas, follow the workshop days and the OFF, and become an ambassador.",
    axesTitle: 'The {{count}} work axes',
    axis: 'Axis {{number}}',
    commandsTitle: 'What you can ask me',
    commandsSlack: '`/ensemble help` this menu · `/ensemble inspire-me` a creative constraint · `/ensemble role` your roles',
    commandsTeams: '**help** this menu · **inspire-me** a creative constraint · **role** your roles',
    rolesLine: 'Your roles: {{roles}}',
    inspire: 'Inspire me',
    help: 'Help',
    myRoles: 'My roles',
    fallback: 'Ensemble, the {{programme}} programme bot: type "help" to see what I can do.',
  },
  welcome: {
    title: 'Welcome to {{programme}}!',
    text: 'Thanks for adding Ensemble. I will keep you posted about the workshop days and the OFF, and collect your ideas. Type "help" at any time.',
    fallback: 'Welcome! Type "help" to discover Ensemble.',
  },
  home: {
    title: 'Ensemble · {{programme}}',
    fallback: 'Ensemble home',
  },
  inspire: {
    title: 'Creative constraint',
    again: 'Another one!',
    fallback: 'Creative constraint: {{text}}',
  },
  unknown: {
    text: 'I don\'t know "{{word}}".',
    suggestion: 'Did you mean "{{suggestion}}"?',
    hint: 'Type "help" to see what I can do.',
  },
  roles: {
    agent: 'agent',
    pilote: 'pilot of axis {{axis}}',
    organisateur: 'organiser',
    none: 'agent (no particular role)',
    mine: 'Your roles: {{roles}}.',
    granted: 'Done: {{who}} is now {{role}}.',
    revoked: 'Done: {{who}} is no longer {{role}}.',
    listTitle: 'Programme roles',
    listEmpty: 'Nobody has a role yet: add organisers and pilots in the programme file or with "role add".',
    usage:
      'Usage: "role" (your roles) · "role list" · "role add <@person|e-mail> <pilot|organiser> [axis]" · "role remove <@person|e-mail> <pilot|organiser> [axis]"',
  },
  errors: {
    title: 'Oops',
    generic: 'Something went wrong on my side. Try again in a moment; if it keeps happening, tell the programme team.',
    invalidInput: 'I did not understand this request: {{detail}}',
    axis: {
      unknown: 'I don\'t know the axis "{{axis}}". Possible axes: {{axes}}.',
    },
    role: {
      organiserOnly: 'Only the programme\'s organisers can manage roles.',
      axisRequired: 'Say which axis the pilot is for: {{axes}}.',
      noAxisForOrganiser: 'The organiser role is not tied to an axis: remove the axis.',
      selfRevoke: 'You cannot remove your own organiser role: ask another organiser.',
      notHeld: 'This person does not have that role.',
      unknownRole: 'Unknown role "{{role}}": pilot or organiser.',
      unknownPerson: 'I cannot find this person. Mention them (@…) if they have already written to the bot, or give their e-mail address.',
    },
    command: {
      tooLong: 'This message is too long ({{max}} characters at most).',
    },
  },
};
