import type { webApi } from '@slack/bolt';
import { describeError } from '../../describe-error.ts';
import type { Logger } from '../../log.ts';
import type { Locale } from '../messages/index.ts';
import { failureText } from '../refusal-text.ts';
import { renderTextMessage } from './blocks.ts';
import { isPlatformError } from './slack-port.ts';

/** The destination of a private reply: the person, and the channel and thread they acted in when known. */
export interface ReplyTarget {
  userId: string;
  channel: string | null;
  threadTs: string | null;
}

/** Errors of `chat.postEphemeral` after which the app's direct message still reaches the person. */
const ephemeralUnavailable = ['channel_not_found', 'not_in_channel', 'user_not_in_channel'];

/**
 * Sends a private reply: an ephemeral message in the channel (and thread) where the person acted,
 * or a message in their direct conversation with the app when there is no such channel or the app
 * cannot post there. A failure is logged, not thrown, because nothing else can tell the person.
 */
export async function sendPrivateReply(
  client: webApi.WebClient,
  target: ReplyTarget,
  text: string,
  logger: Logger,
): Promise<void> {
  const message = renderTextMessage(text);
  try {
    if (target.channel !== null) {
      try {
        await client.chat.postEphemeral({
          channel: target.channel,
          user: target.userId,
          ...message,
          ...(target.threadTs === null ? {} : { thread_ts: target.threadTs }),
        });
        return;
      } catch (error) {
        if (!ephemeralUnavailable.some((code) => isPlatformError(error, code))) throw error;
      }
    }
    // A user id as the channel posts in the person's direct conversation with the app.
    await client.chat.postMessage({ channel: target.userId, ...message });
  } catch (error) {
    logger.warn({ err: describeError(error), userId: target.userId }, 'slack private reply failed');
  }
}

/**
 * Runs a listener's work. When it throws (the database or Slack unreachable, a bug), it logs the
 * error and sends the person a reply that their action was not recorded, so that they try again.
 */
export async function replyOnFailure(
  deps: { logger: Logger; defaultLocale?: Locale },
  client: webApi.WebClient,
  target: ReplyTarget,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.logger.error({ err: describeError(error), platform: 'slack' }, 'slack listener failed');
    await sendPrivateReply(client, target, failureText(deps.defaultLocale ?? 'en'), deps.logger);
  }
}
