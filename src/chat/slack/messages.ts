import { createCatalogueTranslator } from '../messages/index.ts';
import { slackJa } from './messages-ja.ts';

/**
 * The texts of the `/case` command and the App Home tab, in English. Placeholders are `{name}`.
 * Teams has its own copy (src/chat/teams/messages.ts) because the command is written without
 * `/case` there and its markdown differs.
 */
export const slackEn = {
  'command.help': [
    '*Casebridge commands*',
    '`/case show CB-0042`: the case as your role sees it',
    '`/case mine`: the cases waiting for your decision',
    '`/case note CB-0042 Your note`: add a note to a case',
    '`/case files where HASH`: every sighting of a file by SHA-256 or MD5 (security)',
    '`/case help`: this list',
  ].join('\n'),
  'command.unknown': 'There is no `/case {name}` command.',
  'command.usage.show': 'Name the case to show, for example `/case show CB-0042`.',
  'command.usage.note':
    'Name the case and write the note, for example `/case note CB-0042 Called HR.`',
  'command.noRole':
    'You have no Casebridge role (security, HR or Legal), so you cannot see case details.',
  'command.usage.filesWhere':
    'Give the SHA-256 or MD5 of the file, for example `/case files where 14d749cc…` with all 64 digits.',
  'command.securityOnly': 'Only the security team can look up file sightings.',
  'command.notShared': 'Case {key} is not shared with your role while it is in {state}.',
  'command.noteAdded': 'Your note was added to case {key}.',
  'pending.heading': 'Waiting for your decision: {count} cases',
  'pending.headingOne': 'Waiting for your decision: 1 case',
  'pending.none': 'No case is waiting for your decision.',
  'pending.item': '*{key}* · {state} · {priority} · opened {openedAt}',
  'pending.managerItem': '*{key}* · {headline}',
  'pending.more': '…and {count} more; the oldest are listed first.',
  'home.title': 'Casebridge',
  'home.hint':
    'Decide in the case threads, or type `/case show CB-0042` anywhere to see a case privately.',
} as const satisfies Record<string, string>;

export type SlackMessageKey = keyof typeof slackEn;

/** Returns a Slack text in `locale`, falling back to English, with its placeholders filled. */
export const slackText = createCatalogueTranslator(slackEn, { ja: slackJa });
