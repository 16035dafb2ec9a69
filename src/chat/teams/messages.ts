import { createCatalogueTranslator } from '../messages/index.ts';
import { teamsJa } from './messages-ja.ts';

/**
 * The texts of the bot commands in Teams, in English, as Teams markdown. Placeholders are
 * `{name}`. The wording is that of Slack's `/case` command; only the command syntax and the
 * markup differ.
 */
export const teamsEn = {
  'command.help': [
    '**Casebridge commands** (in a channel, @mention Casebridge first)',
    '- `show CB-0042`: the case as your role sees it',
    '- `mine`: the cases waiting for your decision',
    '- `note CB-0042 Your note`: add a note to a case',
    '- `help`: this list',
  ].join('\n'),
  'command.unknown': 'There is no `{name}` command.',
  'command.usage.show': 'Name the case to show, for example `show CB-0042`.',
  'command.personalOnly':
    'Send `{name}` to Casebridge in a 1:1 chat: a reply in a channel is visible to everyone in it, and a case is shown only to the people who need it.',
  'command.usage.note': 'Name the case and write the note, for example `note CB-0042 Called HR.`',
  'command.noRole':
    'You have no Casebridge role (security, HR or Legal), so you cannot see case details.',
  'command.notShared': 'Case {key} is not shared with your role while it is in {state}.',
  'command.noteAdded': 'Your note was added to case {key}.',
  'pending.heading': 'Waiting for your decision: {count} cases',
  'pending.headingOne': 'Waiting for your decision: 1 case',
  'pending.none': 'No case is waiting for your decision.',
  'pending.item': '**{key}** · {state} · {priority} · opened {openedAt}',
  'pending.managerItem': '**{key}** · {headline}',
  'pending.more': '…and {count} more; the oldest are listed first.',
} as const satisfies Record<string, string>;

export type TeamsMessageKey = keyof typeof teamsEn;

/** Returns a Teams text in `locale`, falling back to English, with its placeholders filled. */
export const teamsText = createCatalogueTranslator(teamsEn, { ja: teamsJa });
