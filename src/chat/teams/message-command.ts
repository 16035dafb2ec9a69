import { type IMessageActivity, MessageActivity, stripMentionsText } from '@microsoft/teams.api';
import { z } from 'zod';
import { describeError } from '../../describe-error.ts';
import { claimDelivery } from '../deliveries.ts';
import { type ChatPerson, identifyChatUser } from '../identity.ts';
import type { Locale } from '../messages/index.ts';
import { failureText } from '../refusal-text.ts';
import { type CaseCommand, parseCaseCommand } from '../slack/case-command.ts';
import { identityRefusalText, type MemberLookup } from './card-action.ts';
import {
  runMineCommand,
  runNoteCommand,
  runShowCommand,
  type TeamsCommandReply,
  textReply,
} from './command-replies.ts';
import type { TeamsListenerDeps } from './deps.ts';
import { teamsText } from './messages.ts';

/** The parts of a message activity that a bot command needs. */
const messageSchema = z.looseObject({
  id: z.string().min(1),
  text: z.string().default(''),
  from: z.looseObject({ id: z.string().min(1), aadObjectId: z.string().min(1).optional() }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional() }),
});

/** Sends a reply into the conversation of the message, in its reply chain for a channel. */
export type SendReply = (reply: MessageActivity) => Promise<unknown>;

/**
 * Returns the command text of a message: the text without the bot's own @mention, which Teams
 * includes in every channel message addressed to the bot. Mentions of other users stay.
 */
export function commandTextOf(activity: IMessageActivity): string {
  return stripMentionsText(activity, { accountId: activity.recipient.id }) ?? '';
}

/**
 * Runs a bot command (`help`, `show`, `mine`, `note`) sent in a 1:1 chat or, with an @mention of
 * the bot, in a channel, and sends the reply to the same conversation. A redelivered activity
 * (same id) is run only once.
 */
export async function answerMessageCommand(
  deps: TeamsListenerDeps,
  activity: IMessageActivity,
  lookupMember: MemberLookup,
  send: SendReply,
): Promise<void> {
  const locale = deps.defaultLocale ?? 'en';
  const parsed = messageSchema.safeParse(activity);
  if (!parsed.success) {
    deps.logger.warn({ platform: 'teams' }, 'teams message ignored: fields missing');
    return;
  }
  const message = parsed.data;
  let first: boolean;
  try {
    first = await claimDelivery(deps.db, `teams:activity:${message.id}`);
  } catch (error) {
    deps.logger.error(
      { err: describeError(error), platform: 'teams', activityId: message.id },
      'teams command failed before it was recorded',
    );
    await send(renderReply(textReply(failureText(locale)))).catch(() => {});
    return;
  }
  if (!first) {
    deps.logger.info(
      { platform: 'teams', activityId: message.id },
      'teams message already handled',
    );
    return;
  }

  const request = parseCaseCommand(commandTextOf(activity));
  // Slack answers these commands privately; a Teams channel reply would show a case to the whole
  // channel, whatever the need-to-know of its members.
  if (
    message.conversation.conversationType === 'channel' &&
    (request.kind === 'show' || request.kind === 'mine')
  ) {
    await send(
      renderReply(textReply(teamsText(locale, 'command.personalOnly', { name: request.kind }))),
    );
    return;
  }
  try {
    const reply = await commandReply(deps, request, {
      teamsUserId: message.from.id,
      identityKey: message.from.aadObjectId ?? message.from.id,
      lookup: () => lookupMember(message.conversation.id, message.from.id),
    });
    await send(renderReply(reply));
  } catch (error) {
    deps.logger.error(
      { err: describeError(error), command: request.kind, platform: 'teams' },
      'teams command failed',
    );
    await send(renderReply(textReply(failureText(locale)))).catch(() => {});
  }
}

/** Builds the message activity of a reply: markdown text, and the card when there is one. */
function renderReply(reply: TeamsCommandReply): MessageActivity {
  const activity = new MessageActivity(reply.text).withTextFormat('markdown');
  if (reply.card !== undefined) activity.addCard('adaptive', reply.card);
  return activity;
}

interface Sender {
  teamsUserId: string;
  /** The id the e-mail address is cached under: the Entra object id when Teams sends it. */
  identityKey: string;
  lookup: () => Promise<string | null>;
}

async function commandReply(
  deps: TeamsListenerDeps,
  request: CaseCommand,
  sender: Sender,
): Promise<TeamsCommandReply> {
  const defaultLocale = deps.defaultLocale ?? 'en';
  if (request.kind === 'help') return helpReply(defaultLocale);
  // NOTE: `files where` and `watchlist` are Slack commands so far; Teams answers them as unknown.
  if (
    request.kind === 'unknown' ||
    request.kind === 'files-where' ||
    request.kind === 'watchlist'
  ) {
    const name =
      request.kind === 'unknown'
        ? request.name
        : request.kind === 'watchlist'
          ? 'watchlist'
          : 'files';
    const unknown = teamsText(defaultLocale, 'command.unknown', { name });
    return textReply(`${unknown}\n\n${teamsText(defaultLocale, 'command.help')}`);
  }

  const identity = await identifyChatUser(
    {
      db: deps.db,
      port: { platform: 'teams', resolveUser: sender.lookup },
      ...(deps.now === undefined ? {} : { now: deps.now }),
    },
    sender.identityKey,
  );
  if (identity.kind !== 'person') return textReply(identityRefusalText(identity, defaultLocale));
  return personCommandReply(deps, identity, request, sender.teamsUserId);
}

function personCommandReply(
  deps: TeamsListenerDeps,
  person: ChatPerson,
  request: Extract<CaseCommand, { kind: 'show' | 'mine' | 'note' }>,
  teamsUserId: string,
): Promise<TeamsCommandReply> | TeamsCommandReply {
  switch (request.kind) {
    case 'show':
      if (request.caseRef === null) {
        return textReply(teamsText(person.locale, 'command.usage.show'));
      }
      return runShowCommand(deps, person, { caseRef: request.caseRef, teamsUserId });
    case 'mine':
      return runMineCommand(deps, person);
    case 'note':
      if (request.caseRef === null || request.text === null) {
        return textReply(teamsText(person.locale, 'command.usage.note'));
      }
      return runNoteCommand(deps, person, { caseRef: request.caseRef, text: request.text });
  }
}

function helpReply(locale: Locale): TeamsCommandReply {
  return textReply(teamsText(locale, 'command.help'));
}
