import { eq } from 'drizzle-orm';
import type { CaseContext } from '../../workflows/index.ts';
import type { Audience } from '../chat/actions.ts';
import { type Locale, resolveLocale, t } from '../chat/messages/index.ts';
import { type CaseNotice, renderNotice } from '../chat/notice.ts';
import type { ChannelMembers, ChatPort } from '../chat/port.ts';
import type { CaseView } from '../chat/view-model.ts';
import type { FileConfig } from '../config.ts';
import { findPersonByEmail } from '../people/find-person.ts';
import type { Db } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import type { ClaimedMessage } from './claim-outbox.ts';
import { classifyDeliveryError } from './classify-delivery-error.ts';
import { type ChannelAudience, deliverAlert } from './deliver-alert.ts';
import type { DirectPayload } from './managers-manager.ts';

/** The result of one delivery attempt, which the worker records. */
export type DeliveryOutcome =
  | {
      status: 'sent';
      messageId: string | null;
      thread?: { channel: string; rootId: string };
      /** For an alert: the audience that received it. */
      alerted?: ChannelAudience;
    }
  | { status: 'retry'; at: Date; reason: string; countsAsAttempt: boolean }
  | {
      status: 'dead';
      reason: string;
      /** Set when no later message of the thread can be delivered either. */
      blockThread?: string;
      /**
       * A notice about why, for another audience: `audience` first, then security, HR and Legal,
       * to whichever channel does not contain the subject.
       */
      alert?: { audience: ChannelAudience; text: string };
      /** The case key, for the log line of a failure that a person must act on. */
      caseKey?: string;
    };

export interface DeliveryContext {
  db: Db;
  port: ChatPort | undefined;
  renderView(caseId: string, audience: Audience, locale: Locale): Promise<CaseView>;
  /** The locale of an audience's channel on a platform; the manager's locale comes from the directory. */
  channelLocale(audience: Exclude<Audience, 'manager'>, platform: string): Locale;
  /** The channel of each audience, where an alert goes when the case has no thread there. */
  routing: FileConfig['routing'];
  /** A channel's members, cached by the worker. */
  channelMembers(port: ChatPort, channel: string): Promise<ChannelMembers>;
  now: Date;
  maxAttempts: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Delivers one claimed message: posts or updates the thread's card (rendered from the case as it
 * is now), or posts a reply or alert in the thread. It never writes to the database; the worker
 * records the outcome.
 */
export async function deliverMessage(
  claimed: ClaimedMessage,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const { message, thread } = claimed;
  const port = context.port;
  // An alert sits in the thread it is about, which is usually blocked, and goes to another channel.
  if (thread.blockedReason !== null && message.kind !== 'alert')
    return { status: 'dead', reason: `thread blocked: ${thread.blockedReason}` };
  if (port === undefined)
    return { status: 'dead', reason: `no ${thread.platform} connection is configured` };

  const [caseRow] = await context.db
    .select({ key: cases.key, snapshot: cases.snapshot, subjectPersonId: cases.subjectPersonId })
    .from(cases)
    .where(eq(cases.id, message.caseId));
  if (caseRow === undefined) return { status: 'dead', reason: 'the case no longer exists' };
  const caseContext = (caseRow.snapshot as { context: CaseContext }).context;
  const audience = thread.audience as Audience;
  const recipient =
    audience === 'manager'
      ? await managerRecipient(context.db, caseContext)
      : { locale: context.channelLocale(audience, thread.platform), subjectName: null };
  const locale = recipient.locale;

  try {
    if (message.kind === 'alert') {
      const alert = await deliverAlert(claimed, context, port, caseContext.subject.email);
      return alert.status === 'dead' ? { ...alert, caseKey: caseRow.key } : alert;
    }

    if (thread.channel !== null && audience !== 'manager') {
      const refusal = await tippingOffCheck(
        context,
        port,
        thread.channel,
        caseContext.subject.email,
        caseRow.key,
        audience,
      );
      if (refusal !== null) return refusal;
    }

    if (message.kind === 'direct') {
      const direct = message.payload as DirectPayload;
      const posted = await port.directMessage(direct.to, direct.text);
      return { status: 'sent', messageId: posted.messageId };
    }

    if (message.kind === 'card') {
      const rendered = await context.renderView(message.caseId, audience, locale);
      const view = thread.retiredAt === null ? rendered : retiredView(rendered, locale);
      if (thread.rootId !== null && thread.channel !== null) {
        await port.updateCard(
          {
            platform: port.platform,
            channel: thread.channel,
            messageId: thread.rootId,
            threadRootId: null,
          },
          view,
        );
        return { status: 'sent', messageId: thread.rootId };
      }
      if (audience === 'manager') {
        const manager = caseContext.subject.managerEmail;
        if (manager === null)
          return {
            status: 'dead',
            reason: 'the subject has no manager',
            blockThread: 'no_manager',
          };
        const posted = await port.directMessage(manager, view);
        return {
          status: 'sent',
          messageId: posted.messageId,
          thread: { channel: posted.channel, rootId: posted.messageId },
        };
      }
      const channel = thread.channel!;
      const posted = await port.postCard({ platform: port.platform, channel }, view);
      return {
        status: 'sent',
        messageId: posted.messageId,
        thread: { channel, rootId: posted.messageId },
      };
    }

    if (thread.rootId === null || thread.channel === null) {
      return { status: 'dead', reason: 'the thread has no card to reply under' };
    }
    const payload = message.payload as { notice?: CaseNotice; text?: string };
    const notice = withSubjectName(payload.notice, recipient.subjectName);
    const text =
      payload.text ?? (notice === undefined ? null : renderNotice(notice, audience, locale));
    if (text === null) return { status: 'sent', messageId: null };
    const posted = await port.reply(
      { platform: port.platform, channel: thread.channel, rootId: thread.rootId },
      text,
    );
    return { status: 'sent', messageId: posted.messageId };
  } catch (error) {
    return outcomeOfFailure(error, claimed, context, caseRow.key);
  }
}

/**
 * Looks up what the manager's messages need from the directory: the manager's own locale, and the
 * subject's name for the reminder. Without a directory entry the manager gets English.
 */
async function managerRecipient(
  db: Db,
  caseContext: CaseContext,
): Promise<{ locale: Locale; subjectName: string | null }> {
  const manager =
    caseContext.subject.managerEmail === null
      ? null
      : await findPersonByEmail(db, caseContext.subject.managerEmail);
  const subject =
    caseContext.subject.email === null
      ? null
      : await findPersonByEmail(db, caseContext.subject.email);
  return { locale: resolveLocale(manager?.locale), subjectName: subject?.name ?? null };
}

/** Fills the subject's name into an SLA notice, which the transaction that wrote it left empty. */
function withSubjectName(
  notice: CaseNotice | undefined,
  subjectName: string | null,
): CaseNotice | undefined {
  if (notice === undefined || subjectName === null) return notice;
  if (notice.type !== 'SLA_REMIND' && notice.type !== 'SLA_ESCALATE') return notice;
  return { ...notice, subjectName: notice.subjectName ?? subjectName };
}

/**
 * The card of a thread that no longer follows the case: a replaced manager's notice keeps its
 * headline, says that the notice moved on, and has no buttons.
 */
function retiredView(view: CaseView, locale: Locale): CaseView {
  return {
    ...view,
    banners: [t(locale, 'manager.reassigned', { name: view.subjectLabel })],
    actions: [],
  };
}

function outcomeOfFailure(
  error: unknown,
  claimed: ClaimedMessage,
  context: DeliveryContext,
  key: string,
): DeliveryOutcome {
  const failure = classifyDeliveryError(error);
  const { message, thread } = claimed;
  if (failure.kind === 'rate_limited') {
    return {
      status: 'retry',
      at: new Date(context.now.getTime() + failure.retryAfterMs),
      reason: 'rate limited',
      countsAsAttempt: false,
    };
  }
  if (failure.kind === 'permanent' || message.attempts >= context.maxAttempts) {
    const reason =
      failure.kind === 'permanent'
        ? failure.reason
        : `gave up after ${message.attempts} attempts: ${failure.reason}`;
    // An alert that fails is not alerted about again, so that alerts never loop.
    if (thread.audience === 'manager' && thread.rootId === null && message.kind !== 'alert') {
      return {
        status: 'dead',
        reason,
        caseKey: key,
        blockThread: 'manager_unreachable',
        alert: {
          audience: 'hr',
          text: t('en', 'alert.managerUnreachable', { key, platform: thread.platform, reason }),
        },
      };
    }
    return { status: 'dead', reason, caseKey: key };
  }
  // Exponential backoff with full jitter: 1 s, 2 s, 4 s … up to 5 minutes.
  const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (message.attempts - 1));
  const delay = Math.max(250, Math.round(Math.random() * ceiling));
  return {
    status: 'retry',
    at: new Date(context.now.getTime() + delay),
    reason: failure.reason,
    countsAsAttempt: true,
  };
}

/**
 * The tipping-off guard, run before every message to a channel: the subject must never see their
 * own case, so a channel that contains them, or people whose e-mail address cannot be read (any of
 * whom could be the subject), gets nothing. An alert explains why. It goes to security, or to HR
 * and then Legal when security's channel is the blocked one or fails the guard as well.
 */
async function tippingOffCheck(
  context: DeliveryContext,
  port: ChatPort,
  channel: string,
  subject: string | null,
  key: string,
  audience: Audience,
): Promise<DeliveryOutcome | null> {
  const members = await context.channelMembers(port, channel);
  if (subject !== null && members.emails.includes(subject)) {
    return {
      status: 'dead',
      reason: 'the subject is a member of the channel',
      caseKey: key,
      blockThread: 'subject_in_channel',
      alert: { audience: 'security', text: t('en', 'alert.subjectInChannel', { key, audience }) },
    };
  }
  if (members.unidentified > 0) {
    return {
      status: 'dead',
      reason: `${members.unidentified} channel members have no readable e-mail address`,
      caseKey: key,
      blockThread: 'unidentified_members',
      alert: {
        audience: 'security',
        text: t('en', 'alert.unidentifiedMembers', { key, audience, count: members.unidentified }),
      },
    };
  }
  return null;
}
