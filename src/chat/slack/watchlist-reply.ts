import { eq } from 'drizzle-orm';
import { isCasebridgeError } from '../../errors.ts';
import { isLifecycleList } from '../../people/watch-windows.ts';
import {
  addToWatchlist,
  listWatchlists,
  type MembershipView,
  removeFromWatchlist,
  showWatchlist,
} from '../../people/watchlists.ts';
import { people } from '../../store/schema.ts';
import type { ChatPerson } from '../identity.ts';
import type { Locale } from '../messages/index.ts';
import { renderTextMessage } from './blocks.ts';
import type { CommandReply } from './command-replies.ts';
import type { SlackListenerDeps } from './deps.ts';
import { type SlackMessageKey, slackText } from './messages.ts';

/** Returns a Slack text in `locale`. Extra parameters are ignored, and missing ones stay as written. */
const watchlistText = slackText as (
  locale: Locale,
  key: SlackMessageKey,
  params?: Record<string, string | number>,
) => string;

/** The maximum number of members one ephemeral reply lists. `casebridge watchlist show` lists all. */
const MAX_LISTED = 30;

/**
 * Runs `/case watchlist list|show|add|remove` for the security team. Adding and removing go
 * through the same functions as the CLI, so each change is audited with the person as its cause.
 */
export async function runWatchlistCommand(
  deps: SlackListenerDeps,
  person: ChatPerson,
  action: string | null,
  args: string | null,
): Promise<CommandReply> {
  const { locale } = person;
  const text = (key: SlackMessageKey, params?: Record<string, string | number>) =>
    renderTextMessage(watchlistText(locale, key, params));
  if (!person.roles.includes('security')) return text('command.watchlist.securityOnly');

  const words = args === null ? [] : args.split(/\s+/);
  const list = words[0]?.toLowerCase() ?? null;
  switch (action?.toLowerCase()) {
    case 'list':
      return renderTextMessage(await describeLists(deps, locale));
    case 'show':
      if (list === null) return text('command.watchlist.usage');
      return renderTextMessage(await describeMembers(deps, locale, list));
    case 'add':
    case 'remove': {
      const email = words[1] === undefined ? null : slackEmail(words[1]);
      const reason = words.slice(2).join(' ').trim();
      if (list === null || email === null || reason === '') return text('command.watchlist.usage');
      return text(
        await changeMembership(deps, person, {
          add: action.toLowerCase() === 'add',
          list,
          email,
          reason,
        }),
        { list, email },
      );
    }
    default:
      return text('command.watchlist.usage');
  }
}

/**
 * Returns the address of an e-mail argument, also in the link form `<mailto:a@b.example|a@b.example>`
 * that Slack sends when the manifest turns `should_escape` on.
 */
function slackEmail(word: string): string {
  const linked = /^<mailto:([^|>]+)(?:\|[^>]*)?>$/.exec(word);
  return (linked?.[1] ?? word).toLowerCase();
}

async function describeLists(deps: SlackListenerDeps, locale: Locale): Promise<string> {
  const lists = await listWatchlists(deps.db);
  const lines = [slackText(locale, 'command.watchlist.listHeading')];
  for (const entry of lists) {
    lines.push(
      watchlistText(
        locale,
        entry.kind === 'lifecycle'
          ? 'command.watchlist.lifecycleLine'
          : 'command.watchlist.customLine',
        { list: entry.list, count: entry.members },
      ),
    );
  }
  return lines.join('\n');
}

async function describeMembers(
  deps: SlackListenerDeps,
  locale: Locale,
  list: string,
): Promise<string> {
  let members: MembershipView[];
  try {
    members = await showWatchlist(deps.db, list);
  } catch (error) {
    if (isCasebridgeError(error) && error.code === 'USAGE_INVALID') {
      return watchlistText(locale, 'command.watchlist.unknownList', { list });
    }
    throw error;
  }
  if (members.length === 0) return watchlistText(locale, 'command.watchlist.empty', { list });

  const lines = [
    watchlistText(locale, 'command.watchlist.showHeading', { list, count: members.length }),
  ];
  for (const member of members.slice(0, MAX_LISTED)) lines.push(describeMember(locale, member));
  if (members.length > MAX_LISTED) {
    lines.push(
      watchlistText(locale, 'command.watchlist.more', { list, count: members.length - MAX_LISTED }),
    );
  }
  return lines.join('\n');
}

function describeMember(locale: Locale, member: MembershipView): string {
  const params = {
    email: member.email,
    name: member.name,
    since: member.startsAt.slice(0, 10),
    until: member.endsAt?.slice(0, 10) ?? '',
    addedBy: member.addedBy ?? '',
    reason: member.reason ?? '',
  };
  if (member.addedBy !== null)
    return watchlistText(locale, 'command.watchlist.customMember', params);
  if (member.endsAt === null) return watchlistText(locale, 'command.watchlist.openMember', params);
  return watchlistText(locale, 'command.watchlist.lifecycleMember', params);
}

/** Adds or removes a member and returns the key of the outcome text, which names why a change was rejected. */
async function changeMembership(
  deps: SlackListenerDeps,
  person: ChatPerson,
  change: { add: boolean; list: string; email: string; reason: string },
): Promise<SlackMessageKey> {
  if (isLifecycleList(change.list)) return 'command.watchlist.lifecycle';
  const request = {
    list: change.list,
    email: change.email,
    actorEmail: person.email,
    reason: change.reason,
    now: new Date(),
  };
  try {
    if (change.add) await addToWatchlist(deps.db, request);
    else await removeFromWatchlist(deps.db, request);
    return change.add ? 'command.watchlist.added' : 'command.watchlist.removed';
  } catch (error) {
    if (!isCasebridgeError(error)) throw error;
    switch (error.code) {
      case 'USAGE_INVALID':
        return 'command.watchlist.invalidList';
      case 'EVENT_INVALID':
        return 'command.watchlist.invalidReason';
      case 'NOT_AUTHORIZED':
        return 'command.watchlist.securityOnly';
      case 'TRANSITION_NOT_ALLOWED':
        return 'command.watchlist.alreadyMember';
      case 'PERSON_NOT_FOUND': {
        // Removing reports both an unknown address and a person not on the list with this code.
        const [known] = await deps.db
          .select({ id: people.id })
          .from(people)
          .where(eq(people.email, change.email))
          .limit(1);
        return known === undefined
          ? 'command.watchlist.personNotFound'
          : 'command.watchlist.notMember';
      }
      default:
        throw error;
    }
  }
}
