import type {
  CaseContext,
  CaseEvent,
  CaseOutcome,
  CaseState,
  HrResponse,
  HrUpdateKind,
  Priority,
  SeriousAction,
} from '../../workflows/case-events.ts';
import { actorLabel, approvalsRequired } from '../../workflows/policy.ts';
import type { Audience } from './actions.ts';
import { formatTime, type Locale, t } from './messages/index.ts';
import {
  outcomeLabel,
  priorityLabel,
  responseLabel,
  seriousActionLabel,
  stateLabel,
} from './messages/labels.ts';

/** An accepted event as a thread reply describes it; `actor` is the name to show for who acted. */
export type CaseNotice = { actor: string } & (
  | { type: 'ASSIGN'; assignee: string }
  | { type: 'NOTE'; text: string }
  | { type: 'DISMISS' | 'CLOSE'; outcome: CaseOutcome }
  | { type: 'ESCALATE' | 'RETURN_TO_SECURITY' | 'RECORD_CONVERSATION' | 'ACKNOWLEDGE' }
  | { type: 'RECORD_ACTION' | 'REOPEN' | 'ANONYMISE' }
  | { type: 'CHOOSE_RESPONSE'; response: HrResponse; proposedAction: SeriousAction | null }
  | { type: 'APPROVE'; proposedAction: SeriousAction; count: number; required: number }
  | { type: 'REJECT'; proposedAction: SeriousAction | null }
  | { type: 'SIGNAL_ADDED'; priority: Priority }
  | { type: 'LEGAL_HOLD'; hold: boolean }
  | RevealNotice
  | {
      type: 'HR_UPDATE';
      kind: HrUpdateKind;
      /** The new manager's address, shown to HR and Legal only. */
      managerEmail: string | null;
      lastWorkingDay: string | null;
    }
  | {
      type: 'SLA_REMIND' | 'SLA_ESCALATE';
      state: CaseState;
      /** When the case entered `state`. */
      since: string;
      /** The subject's name, used only in the reminder to their manager. */
      subjectName: string | null;
    }
);

/** A change of an identity reveal, announced in the security and HR threads only. */
export type RevealNotice =
  | { type: 'REVEAL_REQUESTED'; reason: string }
  | { type: 'REVEAL_APPROVED'; until: string }
  | { type: 'REVEAL_REJECTED' | 'REVEAL_EXPIRED' };

/**
 * Describes an accepted event from the case context before and after it. `actorName` replaces the
 * actor's e-mail address when the platform has a better name (a Slack mention).
 */
export function noticeForEvent(
  event: CaseEvent,
  before: CaseContext,
  after: CaseContext,
  actorName: string = actorLabel(event.actor),
): CaseNotice {
  const actor = actorName;
  switch (event.type) {
    case 'ASSIGN':
      return { type: event.type, actor, assignee: event.assignee };
    case 'NOTE':
      return { type: event.type, actor, text: event.text };
    case 'DISMISS':
    case 'CLOSE':
      return { type: event.type, actor, outcome: event.outcome };
    case 'CHOOSE_RESPONSE':
      return {
        type: event.type,
        actor,
        response: event.response,
        proposedAction: event.proposedAction ?? null,
      };
    case 'APPROVE': {
      // The approval was accepted, so an action was proposed before it.
      const proposedAction = before.proposedAction as SeriousAction;
      return {
        type: event.type,
        actor,
        proposedAction,
        count: before.approvals.length + 1,
        required: approvalsRequired(proposedAction),
      };
    }
    case 'REJECT':
      return { type: event.type, actor, proposedAction: before.proposedAction };
    case 'SIGNAL_ADDED':
      return { type: event.type, actor, priority: after.priority };
    case 'LEGAL_HOLD':
      return { type: event.type, actor, hold: event.hold };
    case 'HR_UPDATE':
      return {
        type: event.type,
        actor,
        kind: event.kind,
        managerEmail: after.subject.managerEmail,
        lastWorkingDay: event.lastWorkingDay ?? null,
      };
    case 'SLA_REMIND':
    case 'SLA_ESCALATE':
      return {
        type: event.type,
        actor,
        state: event.state,
        since: before.stateEnteredAt,
        subjectName: null,
      };
    default:
      return { type: event.type, actor };
  }
}

/**
 * Renders the thread reply about an event for an audience, or returns null when that audience gets
 * none. The manager receives only the reminder about their own notice. Security learns that a note
 * was added but not its text, because a note may name the subject.
 */
export function renderNotice(
  notice: CaseNotice,
  audience: Audience,
  locale: Locale,
): string | null {
  if (audience === 'manager') {
    if (notice.type !== 'SLA_REMIND' || notice.state !== 'manager_notice') return null;
    const name = notice.subjectName ?? t(locale, 'subject.unknown');
    return t(locale, 'manager.reminder', { name });
  }

  const { actor } = notice;
  switch (notice.type) {
    case 'ASSIGN':
      return t(locale, 'reply.ASSIGN', { actor, assignee: notice.assignee });
    case 'NOTE':
      return audience === 'security'
        ? t(locale, 'reply.NOTE', { actor })
        : t(locale, 'reply.noteWithText', { actor, text: notice.text });
    case 'DISMISS':
    case 'CLOSE':
      return t(locale, `reply.${notice.type}`, {
        actor,
        outcome: outcomeLabel(locale, notice.outcome),
      });
    case 'CHOOSE_RESPONSE':
      return renderResponse(notice, audience, locale);
    case 'APPROVE':
      return renderApproval(notice, audience, locale);
    case 'REJECT':
      return t(locale, 'reply.REJECT', {
        actor,
        proposedAction: proposedActionText(notice.proposedAction, audience, locale),
      });
    case 'SIGNAL_ADDED':
      return t(locale, 'reply.SIGNAL_ADDED', { priority: priorityLabel(locale, notice.priority) });
    case 'LEGAL_HOLD':
      return t(locale, notice.hold ? 'reply.placeLegalHold' : 'reply.releaseLegalHold', { actor });
    case 'HR_UPDATE':
      return renderHrUpdate(notice, audience, locale);
    case 'SLA_REMIND':
    case 'SLA_ESCALATE':
      return t(locale, `reply.${notice.type}`, {
        state: stateLabel(locale, notice.state),
        since: formatTime(notice.since),
      });
    case 'REVEAL_REQUESTED':
    case 'REVEAL_APPROVED':
    case 'REVEAL_REJECTED':
    case 'REVEAL_EXPIRED':
      return renderRevealNotice(notice, audience, locale);
    default:
      return t(locale, `reply.${notice.type}`, { actor });
  }
}

/** Renders a reveal notice for security and HR; Legal and the manager get none. */
function renderRevealNotice(
  notice: { actor: string } & RevealNotice,
  audience: Audience,
  locale: Locale,
): string | null {
  if (audience !== 'security' && audience !== 'hr') return null;
  switch (notice.type) {
    case 'REVEAL_REQUESTED':
      return t(locale, 'reveal.requested', { actor: notice.actor, reason: notice.reason });
    case 'REVEAL_APPROVED':
      return t(locale, 'reveal.approved', { actor: notice.actor, until: formatTime(notice.until) });
    case 'REVEAL_REJECTED':
      return t(locale, 'reveal.rejected', { actor: notice.actor });
    case 'REVEAL_EXPIRED':
      return t(locale, 'reveal.expired');
  }
}

type NoticeOf<T extends CaseNotice['type']> = Extract<CaseNotice, { type: T }>;

function renderResponse(notice: NoticeOf<'CHOOSE_RESPONSE'>, audience: Audience, locale: Locale) {
  if (notice.response === 'serious_action' && audience !== 'security') {
    return t(locale, 'reply.chooseSeriousAction', {
      actor: notice.actor,
      proposedAction: proposedActionText(notice.proposedAction, audience, locale),
    });
  }
  return t(locale, 'reply.CHOOSE_RESPONSE', {
    actor: notice.actor,
    response: responseLabel(locale, notice.response),
  });
}

/** Security learns that the manager changed but not who it is, because that could identify the subject. */
function renderHrUpdate(notice: NoticeOf<'HR_UPDATE'>, audience: Audience, locale: Locale) {
  if (notice.kind === 'departure') {
    return t(locale, 'reply.hrDeparture', { date: notice.lastWorkingDay ?? '' });
  }
  if (audience === 'security') return t(locale, 'reply.hrManagerChanged');
  if (notice.managerEmail === null) return t(locale, 'reply.hrManagerRemoved');
  return t(locale, 'reply.hrManagerChangedTo', { manager: notice.managerEmail });
}

function renderApproval(notice: NoticeOf<'APPROVE'>, audience: Audience, locale: Locale) {
  const proposedAction = proposedActionText(notice.proposedAction, audience, locale);
  if (notice.count < notice.required) {
    return t(locale, 'reply.approvePartial', {
      actor: notice.actor,
      proposedAction,
      count: notice.count,
      required: notice.required,
    });
  }
  return t(locale, 'reply.APPROVE', { actor: notice.actor, proposedAction });
}

/** Names the proposed action for HR and Legal; security gets a generic phrase, as on its card. */
function proposedActionText(
  action: SeriousAction | null,
  audience: Audience,
  locale: Locale,
): string {
  if (action === null || audience === 'security') return t(locale, 'reply.theProposedAction');
  return seriousActionLabel(locale, action);
}
