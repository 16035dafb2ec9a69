import { and, eq, isNull } from 'drizzle-orm';
import type { Audience } from '../chat/actions.ts';
import type { ChannelMembers, ChatPlatform, ChatPort } from '../chat/port.ts';
import type { FileConfig } from '../config.ts';
import type { Db } from '../store/db.ts';
import { caseThreads } from '../store/schema.ts';
import type { ClaimedMessage } from './claim-outbox.ts';

/** An audience that follows cases in a channel, and so can be alerted there. */
export type ChannelAudience = Exclude<Audience, 'manager'>;

/** The audiences tried after the preferred one: security, then HR, then Legal. */
const fallbackOrder: readonly ChannelAudience[] = ['security', 'hr', 'legal'];

/**
 * The payload of an `alert` outbox row. The row sits in the thread that could not be delivered,
 * and goes to the first audience in `audiences` whose channel passes the tipping-off guard.
 */
export interface AlertPayload {
  text: string;
  audiences: ChannelAudience[];
  /** The audience that received the alert; written when it was delivered. */
  alerted?: ChannelAudience;
}

/** The outcome of one alert delivery; a failure of the chat platform throws instead. */
export type AlertOutcome =
  | { status: 'sent'; messageId: string; alerted: ChannelAudience }
  | { status: 'dead'; reason: string };

/**
 * Returns the audiences to try for an alert about a thread of `blocked`: `preferred` first, then
 * security, HR and Legal, never `blocked` itself and never one twice.
 */
export function alertAudiences(preferred: ChannelAudience, blocked: Audience): ChannelAudience[] {
  const ordered = [preferred, ...fallbackOrder].filter((audience) => audience !== blocked);
  return [...new Set(ordered)];
}

export interface AlertContext {
  db: Db;
  routing: FileConfig['routing'];
  channelMembers(port: ChatPort, channel: string): Promise<ChannelMembers>;
}

/**
 * Delivers an alert to the first of its audiences whose channel contains neither the subject nor
 * anyone whose e-mail address cannot be read. It replies in the case's thread of that audience when
 * the thread has a card, and posts a top-level message in the audience's channel otherwise. When no
 * audience qualifies, the alert is dead and never queues another alert, so alerts cannot loop.
 */
export async function deliverAlert(
  { message, thread }: ClaimedMessage,
  context: AlertContext,
  port: ChatPort,
  subject: string | null,
): Promise<AlertOutcome> {
  const payload = message.payload as AlertPayload;
  const skipped: string[] = [];

  for (const audience of payload.audiences) {
    const target = await alertTarget(context, message.caseId, audience, thread.platform);
    if (target === null) {
      skipped.push(`${audience}: no channel`);
      continue;
    }
    const members = await context.channelMembers(port, target.channel);
    if (subject !== null && members.emails.includes(subject)) {
      skipped.push(`${audience}: the subject is a member`);
      continue;
    }
    if (members.unidentified > 0) {
      skipped.push(`${audience}: members without a readable e-mail address`);
      continue;
    }

    const posted =
      target.rootId === null
        ? await port.postText({ platform: port.platform, channel: target.channel }, payload.text)
        : await port.reply(
            { platform: port.platform, channel: target.channel, rootId: target.rootId },
            payload.text,
          );
    return { status: 'sent', messageId: posted.messageId, alerted: audience };
  }

  return { status: 'dead', reason: `no audience could be alerted (${skipped.join('; ')})` };
}

/**
 * Finds where to alert an audience about a case: its open thread of the case, or its routed
 * channel when the case has no thread there yet. A blocked thread means the audience's channel
 * failed the guard, so it is not a target.
 */
async function alertTarget(
  context: AlertContext,
  caseId: string,
  audience: ChannelAudience,
  platform: string,
): Promise<{ channel: string; rootId: string | null } | null> {
  const [thread] = await context.db
    .select()
    .from(caseThreads)
    .where(
      and(
        eq(caseThreads.caseId, caseId),
        eq(caseThreads.audience, audience),
        eq(caseThreads.platform, platform),
        isNull(caseThreads.retiredAt),
      ),
    );
  if (thread?.blockedReason != null) return null;
  const routed = context.routing[audience]?.[platform as ChatPlatform];
  const channel = thread?.channel ?? routed;
  if (channel === undefined || channel === null) return null;
  return { channel, rootId: thread?.rootId ?? null };
}
