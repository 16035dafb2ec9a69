import {
  type Actor,
  type CaseContext,
  type CaseEvent,
  type CaseEventType,
  type CaseState,
  caseEventSchema,
  caseStates,
  type Priority,
  priorities,
  type Role,
  type SeriousAction,
} from './case-events.ts';

/** Reason for refusing an event. `code` is one of the error codes in src/errors.ts. */
export type Refusal = {
  code: 'TRANSITION_NOT_ALLOWED' | 'NOT_AUTHORIZED' | 'EVENT_INVALID';
  message: string;
};

/** Serious actions that need two distinct Legal approvers instead of one. */
export const fourEyesActions: readonly SeriousAction[] = [
  'termination',
  'law_enforcement_referral',
];

/** Returns how many distinct Legal approvals a proposed action needs before it is taken. */
export function approvalsRequired(action: SeriousAction): number {
  return fourEyesActions.includes(action) ? 2 : 1;
}

/**
 * One rung of a state's SLA ladder: after `afterHours` business hours in the state (counted from
 * when the case entered it), the scheduler sends SLA_REMIND or SLA_ESCALATE. Every rung is replied
 * in all of the case's threads; `alsoNotify` names people notified outside them.
 */
export interface SlaStep {
  kind: 'remind' | 'escalate';
  afterHours: number;
  /** `managers_manager`: a direct message to the manager of the subject's manager. */
  alsoNotify?: 'managers_manager';
}

const slaLadders: Record<CaseState, readonly SlaStep[]> = {
  triage: [
    { kind: 'remind', afterHours: 24 },
    { kind: 'escalate', afterHours: 72 },
  ],
  hr_review: [
    { kind: 'remind', afterHours: 24 },
    { kind: 'remind', afterHours: 48 },
    { kind: 'escalate', afterHours: 120 },
  ],
  conversation: [
    { kind: 'remind', afterHours: 120 },
    { kind: 'escalate', afterHours: 240 },
  ],
  // The manager is reminded by direct message; at escalation HR sees it in its thread and the
  // manager's own manager is asked to follow up.
  manager_notice: [
    { kind: 'remind', afterHours: 24 },
    { kind: 'escalate', afterHours: 72, alsoNotify: 'managers_manager' },
  ],
  follow_up: [
    { kind: 'remind', afterHours: 120 },
    { kind: 'escalate', afterHours: 240 },
  ],
  legal_review: [
    { kind: 'remind', afterHours: 24 },
    { kind: 'escalate', afterHours: 72 },
    { kind: 'escalate', afterHours: 120 },
  ],
  action: [
    { kind: 'remind', afterHours: 72 },
    { kind: 'escalate', afterHours: 168 },
  ],
  closed: [],
};

/**
 * Returns the SLA ladder of a state, in business hours after the case entered it, in rising order;
 * empty when the state has no clock. `scheduleStateTimers` counts the hours in the business
 * calendar (`workflows/business-calendar.ts`).
 */
export function slaLadder(state: CaseState): readonly SlaStep[] {
  return slaLadders[state];
}

const openStateEvents = [
  'NOTE',
  'SIGNAL_ADDED',
  'LEGAL_HOLD',
  'SLA_REMIND',
  'SLA_ESCALATE',
  'HR_UPDATE',
] as const satisfies readonly CaseEventType[];

/** The event types each state accepts. A test checks that the machine declares the same ones. */
export const eventsByState: Record<CaseState, readonly CaseEventType[]> = {
  triage: ['ASSIGN', 'DISMISS', 'ESCALATE', ...openStateEvents],
  hr_review: ['CHOOSE_RESPONSE', 'RETURN_TO_SECURITY', ...openStateEvents],
  conversation: ['RECORD_CONVERSATION', ...openStateEvents],
  manager_notice: ['ACKNOWLEDGE', ...openStateEvents],
  follow_up: ['CLOSE', ...openStateEvents],
  legal_review: ['APPROVE', 'REJECT', ...openStateEvents],
  action: ['RECORD_ACTION', ...openStateEvents],
  closed: ['REOPEN', 'NOTE', 'LEGAL_HOLD', 'ANONYMISE'],
};

type SystemName = Extract<Actor, { kind: 'system' }>['name'];

/** Senders allowed for an event type: people with one of `roles`, the subject's manager, or system components. */
interface Senders {
  roles?: readonly Role[];
  manager?: true;
  systems?: readonly SystemName[];
}

const senders: Record<CaseEventType, Senders> = {
  ASSIGN: { roles: ['security'] },
  NOTE: { roles: ['security', 'hr', 'legal'] },
  DISMISS: { roles: ['security'] },
  ESCALATE: { roles: ['security'] },
  CHOOSE_RESPONSE: { roles: ['hr'] },
  RETURN_TO_SECURITY: { roles: ['hr'] },
  RECORD_CONVERSATION: { roles: ['hr'] },
  ACKNOWLEDGE: { manager: true },
  CLOSE: { roles: ['hr'] },
  APPROVE: { roles: ['legal'] },
  REJECT: { roles: ['legal'] },
  RECORD_ACTION: { roles: ['hr'] },
  REOPEN: { roles: ['security', 'hr'], systems: ['intake'] },
  SIGNAL_ADDED: { systems: ['intake'] },
  LEGAL_HOLD: { roles: ['legal'] },
  SLA_REMIND: { systems: ['scheduler'] },
  SLA_ESCALATE: { systems: ['scheduler'] },
  ANONYMISE: { systems: ['retention'] },
  HR_UPDATE: { systems: ['hr_sync'] },
};

/** Event types that only system components send; chat offers no button for them. */
const systemEventTypes: readonly CaseEventType[] = [
  'SIGNAL_ADDED',
  'SLA_REMIND',
  'SLA_ESCALATE',
  'ANONYMISE',
  'HR_UPDATE',
];

/** Returns the name the audit trail and messages use for an actor. */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'person' ? actor.email : `system:${actor.name}`;
}

/** Compares two e-mail addresses case-insensitively; a missing address matches nothing. */
export function sameEmail(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Returns whether `actor` is the person the case is about.
 * NOTE: a subject whose e-mail address is unknown (null) cannot be recognised, so it is never refused.
 */
export function isSubject(context: CaseContext, actor: Actor): boolean {
  return actor.kind === 'person' && sameEmail(actor.email, context.subject.email);
}

/** Returns the higher of two priorities. */
export function maxPriority(a: Priority, b: Priority): Priority {
  return priorities.indexOf(a) >= priorities.indexOf(b) ? a : b;
}

/**
 * Decides whether `event` may be sent to a case in `state` with `context`, and returns null when
 * it may or the reason when it may not. The case machine's guards call this function, so the
 * machine takes a transition exactly when it returns null.
 */
export function checkEvent(
  state: CaseState,
  context: CaseContext,
  event: CaseEvent,
): Refusal | null {
  const parsed = caseEventSchema.safeParse(event);
  if (!parsed.success) return invalidEvent(event, parsed.error.issues);

  // The subject is refused before anything else, so that no refusal reveals the case's state to them.
  const { actor, type } = parsed.data;
  if (isSubject(context, actor)) return subjectRefusal(actor, type);
  // Likewise a person with no part in the case learns nothing about its state.
  if (
    actor.kind === 'person' &&
    actor.roles.length === 0 &&
    !sameEmail(actor.email, context.subject.managerEmail)
  ) {
    return notAuthorized(
      `${actorLabel(actor)} cannot send ${type}: they hold no Casebridge role and are not the subject's manager. An admin grants roles in the configuration file.`,
    );
  }

  return (
    checkState(state, context, parsed.data) ??
    checkSender(state, context, type, actor) ??
    checkPayload(context, parsed.data)
  );
}

/**
 * Lists the event types `actor` may send now, leaving out those only system components send.
 * Payload rules (such as `proposedAction` for a serious action) are checked when the event is sent.
 */
export function allowedEvents(
  state: CaseState,
  context: CaseContext,
  actor: Actor,
): CaseEventType[] {
  return eventsByState[state].filter(
    (type) => !systemEventTypes.includes(type) && checkSender(state, context, type, actor) === null,
  );
}

function invalidEvent(
  event: unknown,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): Refusal {
  const type = (event as { type?: unknown } | null)?.type;
  const name = typeof type === 'string' ? type : 'The event';
  const problems = issues
    .map((issue) =>
      issue.path.length > 0
        ? `${issue.path.map(String).join('.')}: ${issue.message}`
        : issue.message,
    )
    .join('; ');
  return {
    code: 'EVENT_INVALID',
    message: `${name} is invalid (${problems}); correct it and send it again.`,
  };
}

function checkState(state: CaseState, context: CaseContext, event: CaseEvent): Refusal | null {
  if (!eventsByState[state].includes(event.type)) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message: `${event.type} is not possible in state ${state}; ${requiredStates(event.type)}.${lastDecisionNote(context)}`,
    };
  }

  if (event.type === 'REOPEN' && context.anonymised) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message:
        'REOPEN is not possible because retention anonymised this case; open a new case for new evidence.',
    };
  }
  if (event.type === 'ANONYMISE' && context.legalHold) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message:
        'ANONYMISE is not possible because the case is under legal hold; Legal must release the hold first.',
    };
  }
  if (event.type === 'ANONYMISE' && context.anonymised) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message: 'ANONYMISE is not possible because the case is already anonymised.',
    };
  }

  // The scheduler may fire a timer of a state the case has just left; it must not count here.
  if ((event.type === 'SLA_REMIND' || event.type === 'SLA_ESCALATE') && event.state !== state) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message: `${event.type} for state ${event.state} is stale because the case is now in state ${state}; cancel that timer.`,
    };
  }
  return null;
}

function requiredStates(type: CaseEventType): string {
  const states = caseStates.filter((state) => eventsByState[state].includes(type));
  const openStates = caseStates.filter((state) => state !== 'closed');
  if (states.length === openStates.length && !states.includes('closed')) {
    return 'the case must be open, so reopen it first (REOPEN)';
  }
  return `the case must be in ${states.join(' or ')}`;
}

function lastDecisionNote(context: CaseContext): string {
  const last = context.lastDecision;
  if (last === null) return '';
  return ` The last decision was ${last.type} by ${last.actor} at ${last.at}.`;
}

/** Checks that `actor` may send an event of `type` now; the payload is not looked at. */
function checkSender(
  state: CaseState,
  context: CaseContext,
  type: CaseEventType,
  actor: Actor,
): Refusal | null {
  const sender = actorLabel(actor);
  const allowed = senders[type];

  if (isSubject(context, actor)) return subjectRefusal(actor, type);

  if (actor.kind === 'system') {
    if (allowed.systems?.includes(actor.name)) return null;
    return notAuthorized(
      `${sender} cannot send ${type} in state ${state}: ${describeSenders(allowed)}.`,
    );
  }

  const isManager = sameEmail(actor.email, context.subject.managerEmail);
  const hasRole = allowed.roles?.some((role) => actor.roles.includes(role)) ?? false;
  if (!hasRole && !(allowed.manager === true && isManager)) {
    return notAuthorized(
      `${sender} cannot send ${type} in state ${state}: ${describeSenders(allowed)}.`,
    );
  }

  return checkSeparationOfDuties(context, type, actor.email);
}

function subjectRefusal(actor: Actor, type: CaseEventType): Refusal {
  return notAuthorized(
    `${actorLabel(actor)} cannot send ${type}: they are the subject of this case (separation of duties).`,
  );
}

function describeSenders(allowed: Senders): string {
  const parts: string[] = [];
  if (allowed.roles !== undefined) {
    parts.push(`a person with the ${allowed.roles.join(' or ')} role`);
  }
  if (allowed.manager === true) parts.push("the subject's manager");
  if (allowed.systems !== undefined) parts.push(`the ${allowed.systems.join(' or ')} component`);
  return `only ${parts.join(' or ')} may send it`;
}

function checkSeparationOfDuties(
  context: CaseContext,
  type: CaseEventType,
  email: string,
): Refusal | null {
  const escalated = context.escalators.some((escalator) => sameEmail(escalator, email));

  if (type === 'CHOOSE_RESPONSE' && escalated) {
    return notAuthorized(
      `${email} cannot choose the HR response: they escalated this case (separation of duties); another HR member must choose.`,
    );
  }

  if (type === 'APPROVE') {
    if (escalated) {
      return notAuthorized(
        `${email} cannot approve: they escalated this case (separation of duties).`,
      );
    }
    if (sameEmail(email, context.subject.managerEmail)) {
      return notAuthorized(
        `${email} cannot approve: they are the subject's manager (separation of duties).`,
      );
    }
    const earlier = context.approvals.find((approval) => sameEmail(approval.email, email));
    if (earlier !== undefined) {
      return notAuthorized(
        `${email} cannot approve: they already approved at ${earlier.at}; a second, different Legal approver must approve.`,
      );
    }
  }
  return null;
}

function checkPayload(context: CaseContext, event: CaseEvent): Refusal | null {
  if (event.type === 'ASSIGN' && sameEmail(event.assignee, context.subject.email)) {
    return invalid('ASSIGN cannot assign the case to its subject; choose another assignee.');
  }

  if (event.type === 'CHOOSE_RESPONSE') {
    if (event.response === 'serious_action' && event.proposedAction === undefined) {
      return invalid(
        'CHOOSE_RESPONSE with serious_action needs a proposedAction; choose the action Legal should approve.',
      );
    }
    if (event.response !== 'serious_action' && event.proposedAction !== undefined) {
      return invalid(
        `CHOOSE_RESPONSE with ${event.response} takes no proposedAction; choose serious_action to propose one.`,
      );
    }
    if (event.response === 'involve_manager' && context.subject.managerEmail === null) {
      return {
        code: 'TRANSITION_NOT_ALLOWED',
        message:
          "CHOOSE_RESPONSE with involve_manager is not possible because the subject's manager is not known; choose another response.",
      };
    }
  }

  if (event.type === 'HR_UPDATE') {
    if (event.kind === 'manager_changed' && event.managerEmail === undefined) {
      return invalid(
        'HR_UPDATE with manager_changed needs managerEmail (null when none is known).',
      );
    }
    if (event.kind === 'manager_changed' && sameEmail(event.managerEmail, context.subject.email)) {
      return invalid('HR_UPDATE cannot make the subject their own manager; correct the directory.');
    }
    if (event.kind === 'departure' && event.lastWorkingDay === undefined) {
      return invalid('HR_UPDATE with departure needs lastWorkingDay.');
    }
  }

  if (event.type === 'APPROVE' && context.proposedAction === null) {
    return {
      code: 'TRANSITION_NOT_ALLOWED',
      message:
        'APPROVE is not possible because no action is proposed; HR must choose serious_action first.',
    };
  }
  return null;
}

function notAuthorized(message: string): Refusal {
  return { code: 'NOT_AUTHORIZED', message };
}

function invalid(message: string): Refusal {
  return { code: 'EVENT_INVALID', message };
}
