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
    '`/case watchlist list`: the watchlists; also `show`, `add` and `remove` (security)',
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
  'command.watchlist.usage': [
    'Use one of:',
    '`/case watchlist list`: the watchlists and their member counts',
    '`/case watchlist show departing`: the current members of a list',
    '`/case watchlist add contractors dana.lee@example.com Access to the build servers`',
    '`/case watchlist remove contractors dana.lee@example.com Contract ended`',
    'Adding and removing need a reason and work on custom lists only.',
  ].join('\n'),
  'command.watchlist.securityOnly': 'Only the security team can see and change watchlists.',
  'command.watchlist.listHeading': '*Watchlists* (current members)',
  'command.watchlist.lifecycleLine': '`{list}`: {count}, follows HR dates',
  'command.watchlist.customLine': '`{list}`: {count}, kept by security',
  'command.watchlist.showHeading': '*Members of `{list}`*: {count}',
  'command.watchlist.empty': 'No one is on `{list}` now.',
  'command.watchlist.unknownList':
    'There is no watchlist `{list}` with members; `/case watchlist list` shows the lists.',
  'command.watchlist.lifecycleMember': '{email} · {name} · from {since} to {until}',
  'command.watchlist.openMember': '{email} · {name} · from {since}',
  'command.watchlist.customMember':
    '{email} · {name} · from {since} · added by {addedBy}: {reason}',
  'command.watchlist.more':
    '…and {count} more; `casebridge watchlist show {list}` lists every member.',
  'command.watchlist.added': 'Added {email} to `{list}`. The change is in the audit trail.',
  'command.watchlist.removed': 'Removed {email} from `{list}`. The change is in the audit trail.',
  'command.watchlist.lifecycle':
    '`{list}` follows HR dates and cannot be edited; change the dates in the directory instead.',
  'command.watchlist.invalidList':
    '`{list}` is not a valid list name; use up to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit.',
  'command.watchlist.invalidReason':
    'Write a reason of at most 4000 characters after the e-mail address.',
  'command.watchlist.personNotFound':
    '{email} is not in the directory; add the person to the directory first.',
  'command.watchlist.alreadyMember': '{email} is already on `{list}`.',
  'command.watchlist.notMember':
    '{email} is not on `{list}`; `/case watchlist show {list}` lists its members.',
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
