import { and, eq, isNull } from 'drizzle-orm';
import type { Audience } from '../chat/actions.ts';
import type { ChannelMembers, ChatPlatform, ChatPort, MessageRef } from '../chat/port.ts';
import type { FileConfig } from '../config.ts';
import type { Db } from '../store/db.ts';
import { caseThreads } from '../store/schema.ts';
import type { ClaimedMessage } from './claim-outbox.ts';
import { classifyDeliveryError } from './classify-delivery-error.ts';

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

/** The outcome of one alert delivery; a rate limit or transient failure of the platform throws instead. */
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
 * NOTE: the worker paces the alert under the blocked thread's channel, not the channel it posts to.
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
    try {
      const result = await postAlert(context, port, target, subject, payload.text);
      if (typeof result === 'string') skipped.push(`${audience}: ${result}`);
      else return { status: 'sent', messageId: result.messageId, alerted: audience };
    } catch (error) {
      // A channel the platform rejects for good (not found, archived) is skipped like one that
      // fails the guard. Rate limits and transient failures retry the whole alert.
      const failure = classifyDeliveryError(error);
      if (failure.kind !== 'permanent') throw error;
      skipped.push(`${audience}: ${failure.reason}`);
    }
  }

  return { status: 'dead', reason: `no audience could be alerted (${skipped.join('; ')})` };
}

/**
 * Posts an alert in a target channel after the tipping-off guard's membership check, or returns
 * why the channel failed the check.
 */
async function postAlert(
  context: AlertContext,
  port: ChatPort,
  target: { channel: string; rootId: string | null },
  subject: string | null,
  text: string,
): Promise<MessageRef | string> {
  const members = await context.channelMembers(port, target.channel);
  if (subject !== null && members.emails.includes(subject)) return 'the subject is a member';
  if (members.unidentified > 0) return 'members without a readable e-mail address';

  if (target.rootId === null)
    return port.postText({ platform: port.platform, channel: target.channel }, text);
  return port.reply(
    { platform: port.platform, channel: target.channel, rootId: target.rootId },
    text,
  );
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
