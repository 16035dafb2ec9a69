import type { App, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { describeError } from '../../../describe-error.ts';
import { claimDelivery, commandDeliveryKey } from '../../deliveries.ts';
import { type ChatPerson, identifyChatUser } from '../../identity.ts';
import type { Locale } from '../../messages/index.ts';
import { failureText, identityRefusalText } from '../../refusal-text.ts';
import { renderTextMessage } from '../blocks.ts';
import { type CaseCommand, parseCaseCommand } from '../case-command.ts';
import {
  type CommandReply,
  runMineCommand,
  runNoteCommand,
  runShowCommand,
} from '../command-replies.ts';
import type { SlackListenerDeps } from '../deps.ts';
import { runFilesWhereCommand } from '../files-where-reply.ts';
import { slackText } from '../messages.ts';
import { runWatchlistCommand } from '../watchlist-reply.ts';

/** The slash command Casebridge registers; the manifest declares the same name. */
export const caseCommandName = '/case';

const slashCommandSchema = z.looseObject({
  user_id: z.string().min(1),
  text: z.string().default(''),
  trigger_id: z.string().min(1),
});

/**
 * Registers `/case`. Every reply is ephemeral and goes through the command's `response_url`
 * after the acknowledgement, so that the 3-second limit never depends on the database.
 */
export function registerCaseCommand(app: App, deps: SlackListenerDeps): void {
  app.command(caseCommandName, async ({ ack, command, respond }) => {
    await ack();

    const parsed = slashCommandSchema.safeParse(command);
    if (!parsed.success) {
      deps.logger.warn({ platform: 'slack' }, 'slack command payload ignored: fields missing');
      return;
    }
    const locale = deps.defaultLocale ?? 'en';
    const request = parseCaseCommand(parsed.data.text);
    try {
      // Inside the try, so that a database outage gets the "try again" reply.
      if (!(await claimDelivery(deps.db, commandDeliveryKey(parsed.data.trigger_id)))) return;
      await reply(respond, await commandReply(deps, parsed.data.user_id, request));
    } catch (error) {
      deps.logger.error(
        { err: describeError(error), command: request.kind },
        'slack command failed',
      );
      await reply(respond, renderTextMessage(failureText(locale))).catch(() => {});
    }
  });
}

async function reply(respond: RespondFn, message: CommandReply): Promise<void> {
  await respond({ response_type: 'ephemeral', ...message });
}

async function commandReply(
  deps: SlackListenerDeps,
  userId: string,
  request: CaseCommand,
): Promise<CommandReply> {
  const defaultLocale = deps.defaultLocale ?? 'en';
  if (request.kind === 'help') return helpAnswer(defaultLocale);
  if (request.kind === 'unknown') {
    const unknown = slackText(defaultLocale, 'command.unknown', { name: request.name });
    return renderTextMessage(`${unknown}\n\n${slackText(defaultLocale, 'command.help')}`);
  }

  const identity = await identifyChatUser(deps, userId);
  if (identity.kind !== 'person') {
    return renderTextMessage(identityRefusalText(identity, defaultLocale));
  }
  return personCommandReply(deps, identity, request);
}

function personCommandReply(
  deps: SlackListenerDeps,
  person: ChatPerson,
  request: Extract<CaseCommand, { kind: 'show' | 'mine' | 'note' | 'files-where' | 'watchlist' }>,
): Promise<CommandReply> | CommandReply {
  switch (request.kind) {
    case 'show':
      if (request.caseRef === null) return usage(person.locale, 'command.usage.show');
      return runShowCommand(deps, person, request.caseRef);
    case 'mine':
      return runMineCommand(deps, person);
    case 'note':
      if (request.caseRef === null || request.text === null) {
        return usage(person.locale, 'command.usage.note');
      }
      return runNoteCommand(deps, person, { caseRef: request.caseRef, text: request.text });
    case 'files-where':
      return runFilesWhereCommand(deps, person, request.hash);
    case 'watchlist':
      return runWatchlistCommand(deps, person, request.action, request.args);
  }
}

function helpAnswer(locale: Locale): CommandReply {
  return renderTextMessage(slackText(locale, 'command.help'));
}

function usage(locale: Locale, key: 'command.usage.show' | 'command.usage.note'): CommandReply {
  return renderTextMessage(slackText(locale, key));
}
