import { and, assign, initialTransition, type SnapshotFrom, setup, transition } from 'xstate';
import { z } from 'zod';
import {
  type CaseContext,
  type CaseEvent,
  type CaseInput,
  type CaseState,
  caseContextSchema,
  caseEventSchema,
  caseStates,
  type HrResponse,
} from './case-events.ts';
import { actorLabel, approvalsRequired, checkEvent, maxPriority, type Refusal } from './policy.ts';

/**
 * Version of the machine definition stored next to each snapshot. Bump it when a change makes old
 * snapshots invalid (renamed states, new required context), and migrate them in `restoreSnapshot`.
 */
export const MACHINE_VERSION = 1;

type EventOf<T extends CaseEvent['type']> = Extract<CaseEvent, { type: T }>;

/** Narrows an event in an action whose transition only that event type can trigger. */
function eventOf<T extends CaseEvent['type']>(event: CaseEvent, type: T): EventOf<T> {
  if (event.type !== type) {
    throw new Error(`case machine: expected a ${type} event in this action, got ${event.type}`);
  }
  return event as EventOf<T>;
}

/** Builds the context of a new case; the subject's e-mail addresses are stored lower-cased. */
export function initialContext(input: CaseInput): CaseContext {
  return {
    caseId: input.caseId,
    subject: {
      key: input.subject.key,
      email: input.subject.email?.trim().toLowerCase() ?? null,
      managerEmail: input.subject.managerEmail?.trim().toLowerCase() ?? null,
      resolved: input.subject.resolved,
    },
    priority: input.priority,
    assignee: null,
    escalatedBy: null,
    escalators: [],
    escalationSummary: null,
    hrResponse: null,
    proposedAction: null,
    approvals: [],
    outcome: null,
    legalHold: false,
    anonymised: false,
    signalCount: 0,
    reminders: [],
    escalations: [],
    lastDecision: null,
    reopenCount: 0,
    openedAt: input.openedAt,
    stateEnteredAt: input.openedAt,
    updatedAt: input.openedAt,
  };
}

const machineSetup = setup({
  types: {
    context: {} as CaseContext,
    events: {} as CaseEvent,
    input: {} as CaseInput,
  },
  guards: {
    /** The single authorization rule: the policy accepts this event in this state. */
    permitted: ({ context, event }, params: { state: CaseState }) =>
      checkEvent(params.state, context, event) === null,
    responseIs: ({ event }, params: { response: HrResponse }) =>
      event.type === 'CHOOSE_RESPONSE' && event.response === params.response,
    /** This approval is the last one the proposed action needs. */
    approvalCompletes: ({ context }) =>
      context.proposedAction !== null &&
      context.approvals.length + 1 >= approvalsRequired(context.proposedAction),
  },
  actions: {
    touch: assign({ updatedAt: ({ event }) => event.at }),
    /** Records the event as the last decision: every state change and every Legal approval. */
    decide: assign({
      lastDecision: ({ event }) => ({
        type: event.type,
        actor: actorLabel(event.actor),
        at: event.at,
      }),
    }),
    enterState: assign({ stateEnteredAt: ({ event }) => event.at }),
    assignCase: assign({ assignee: ({ event }) => eventOf(event, 'ASSIGN').assignee }),
    dismiss: assign({ outcome: ({ event }) => eventOf(event, 'DISMISS').outcome }),
    escalate: assign(({ context, event }) => {
      const escalation = eventOf(event, 'ESCALATE');
      const email = actorLabel(escalation.actor);
      return {
        escalatedBy: email,
        escalators: context.escalators.includes(email)
          ? context.escalators
          : [...context.escalators, email],
        escalationSummary: escalation.summary,
      };
    }),
    chooseResponse: assign(({ event }) => {
      const choice = eventOf(event, 'CHOOSE_RESPONSE');
      return {
        hrResponse: choice.response,
        proposedAction: choice.proposedAction ?? null,
        approvals: [],
      };
    }),
    /** Drops the current HR response, proposed action and approvals when the case goes back. */
    clearResponse: assign({ hrResponse: null, proposedAction: null, approvals: [] }),
    recordConversation: assign({ outcome: 'coached' }),
    close: assign({ outcome: ({ event }) => eventOf(event, 'CLOSE').outcome }),
    approve: assign({
      approvals: ({ context, event }) => [
        ...context.approvals,
        { email: actorLabel(event.actor), at: event.at },
      ],
    }),
    recordAction: assign({ outcome: 'serious_action' }),
    reopen: assign(({ context }) => ({
      reopenCount: context.reopenCount + 1,
      outcome: null,
      escalatedBy: null,
      escalationSummary: null,
      hrResponse: null,
      proposedAction: null,
      approvals: [],
    })),
    addSignal: assign(({ context, event }) => ({
      priority: maxPriority(context.priority, eventOf(event, 'SIGNAL_ADDED').priority),
      signalCount: context.signalCount + 1,
    })),
    /** Follows HR: a new manager replaces the old one, who can no longer act as the manager. */
    applyHrUpdate: assign(({ context, event }) => {
      const update = eventOf(event, 'HR_UPDATE');
      if (update.kind !== 'manager_changed') return {};
      return { subject: { ...context.subject, managerEmail: update.managerEmail ?? null } };
    }),
    setLegalHold: assign({ legalHold: ({ event }) => eventOf(event, 'LEGAL_HOLD').hold }),
    /** Drops every link to the subject from the context; the outcome and the deciders stay. */
    anonymise: assign(({ event }) => ({
      subject: {
        key: eventOf(event, 'ANONYMISE').tombstoneKey,
        email: null,
        managerEmail: null,
        resolved: false,
      },
      escalationSummary: null,
      anonymised: true,
    })),
    recordReminder: assign({
      reminders: ({ context, event }) => [
        ...context.reminders,
        { state: eventOf(event, 'SLA_REMIND').state, at: event.at },
      ],
    }),
    recordEscalation: assign({
      escalations: ({ context, event }) => [
        ...context.escalations,
        { state: eventOf(event, 'SLA_ESCALATE').state, at: event.at },
      ],
    }),
  },
});

type OpenState = Exclude<CaseState, 'closed'>;

const permittedIn = (state: CaseState) => ({ type: 'permitted', params: { state } }) as const;

const responseIs = (response: HrResponse) =>
  ({ type: 'responseIs', params: { response } }) as const;

/** Transitions every open state has; none of them changes the state. */
function openStateEvents(state: OpenState) {
  return {
    NOTE: { guard: permittedIn(state), actions: 'touch' },
    SIGNAL_ADDED: { guard: permittedIn(state), actions: ['touch', 'addSignal'] },
    LEGAL_HOLD: { guard: permittedIn(state), actions: ['touch', 'setLegalHold'] },
    SLA_REMIND: { guard: permittedIn(state), actions: ['touch', 'recordReminder'] },
    SLA_ESCALATE: { guard: permittedIn(state), actions: ['touch', 'recordEscalation'] },
    HR_UPDATE: { guard: permittedIn(state), actions: ['touch', 'applyHrUpdate'] },
  } as const;
}

/** Actions of every transition that changes the state. */
const leave = ['touch', 'decide', 'enterState'] as const;

/**
 * The case lifecycle. Every transition is guarded by `permitted`, which calls the policy
 * (`checkEvent`), and every action is a pure `assign`. There are no delayed transitions because
 * XState 5 does not persist pending delays. SLA timers live in the database and arrive as
 * SLA_REMIND and SLA_ESCALATE events.
 */
export const caseMachine = machineSetup.createMachine({
  id: 'case',
  initial: 'triage',
  context: ({ input }) => initialContext(input),
  states: {
    triage: {
      on: {
        ...openStateEvents('triage'),
        ASSIGN: { guard: permittedIn('triage'), actions: ['touch', 'assignCase'] },
        DISMISS: { guard: permittedIn('triage'), target: 'closed', actions: [...leave, 'dismiss'] },
        ESCALATE: {
          guard: permittedIn('triage'),
          target: 'hr_review',
          actions: [...leave, 'escalate'],
        },
      },
    },
    hr_review: {
      on: {
        ...openStateEvents('hr_review'),
        CHOOSE_RESPONSE: [
          {
            guard: and([permittedIn('hr_review'), responseIs('corrective_conversation')]),
            target: 'conversation',
            actions: [...leave, 'chooseResponse'],
          },
          {
            guard: and([permittedIn('hr_review'), responseIs('involve_manager')]),
            target: 'manager_notice',
            actions: [...leave, 'chooseResponse'],
          },
          {
            guard: and([permittedIn('hr_review'), responseIs('serious_action')]),
            target: 'legal_review',
            actions: [...leave, 'chooseResponse'],
          },
        ],
        RETURN_TO_SECURITY: {
          guard: permittedIn('hr_review'),
          target: 'triage',
          actions: [...leave, 'clearResponse'],
        },
      },
    },
    conversation: {
      on: {
        ...openStateEvents('conversation'),
        RECORD_CONVERSATION: {
          guard: permittedIn('conversation'),
          target: 'closed',
          actions: [...leave, 'recordConversation'],
        },
      },
    },
    manager_notice: {
      on: {
        ...openStateEvents('manager_notice'),
        ACKNOWLEDGE: { guard: permittedIn('manager_notice'), target: 'follow_up', actions: leave },
      },
    },
    follow_up: {
      on: {
        ...openStateEvents('follow_up'),
        CLOSE: { guard: permittedIn('follow_up'), target: 'closed', actions: [...leave, 'close'] },
      },
    },
    legal_review: {
      on: {
        ...openStateEvents('legal_review'),
        APPROVE: [
          {
            guard: and([permittedIn('legal_review'), 'approvalCompletes']),
            target: 'action',
            actions: [...leave, 'approve'],
          },
          // The first of two required approvals is recorded; the case waits for the second.
          { guard: permittedIn('legal_review'), actions: ['touch', 'decide', 'approve'] },
        ],
        REJECT: {
          guard: permittedIn('legal_review'),
          target: 'hr_review',
          actions: [...leave, 'clearResponse'],
        },
      },
    },
    action: {
      on: {
        ...openStateEvents('action'),
        RECORD_ACTION: {
          guard: permittedIn('action'),
          target: 'closed',
          actions: [...leave, 'recordAction'],
        },
      },
    },
    // Not a final state: a closed case can be reopened until it is anonymised, and it still takes
    // notes and legal holds.
    closed: {
      on: {
        NOTE: { guard: permittedIn('closed'), actions: 'touch' },
        LEGAL_HOLD: { guard: permittedIn('closed'), actions: ['touch', 'setLegalHold'] },
        REOPEN: { guard: permittedIn('closed'), target: 'triage', actions: [...leave, 'reopen'] },
        ANONYMISE: { guard: permittedIn('closed'), actions: ['touch', 'anonymise'] },
      },
    },
  },
});

export type CaseSnapshot = SnapshotFrom<typeof caseMachine>;

/**
 * A case snapshot as stored in the database: the JSON of `caseMachine.getPersistedSnapshot`,
 * which `restoreSnapshot` reads back. It also contains `status`, `children` and `historyValue`.
 */
export type PersistedCaseSnapshot = { value: CaseState; context: CaseContext } & Record<
  string,
  unknown
>;

export type ApplyEventResult =
  | { ok: false; refusal: Refusal }
  | {
      ok: true;
      snapshot: PersistedCaseSnapshot;
      state: CaseState;
      context: CaseContext;
      previousState: CaseState;
      /** False when the event was accepted but the case stayed in its state (a note, a first approval). */
      stateChanged: boolean;
    };

const persistedSchema = z.looseObject({
  status: z.literal('active'),
  value: z.enum(caseStates),
  context: caseContextSchema,
});

function persist(snapshot: CaseSnapshot): PersistedCaseSnapshot {
  return caseMachine.getPersistedSnapshot(snapshot) as unknown as PersistedCaseSnapshot;
}

/** Computes the first snapshot of a new case. */
export function startCase(input: CaseInput): {
  snapshot: PersistedCaseSnapshot;
  state: CaseState;
  context: CaseContext;
} {
  const [snapshot] = initialTransition(caseMachine, input);
  return { snapshot: persist(snapshot), state: snapshot.value, context: snapshot.context };
}

/**
 * Rebuilds a machine snapshot from its stored JSON. `machineVersion` is the MACHINE_VERSION the
 * snapshot was written with; snapshots of older versions are migrated here once the machine changes.
 * Throws when the version is unknown or the JSON is not a valid case snapshot.
 */
export function restoreSnapshot(json: unknown, machineVersion: number): CaseSnapshot {
  if (machineVersion !== MACHINE_VERSION) {
    throw new Error(
      `Case snapshot has machine version ${machineVersion}, but this build of Casebridge reads only version ${MACHINE_VERSION}; run the Casebridge release that wrote it or add a migration to restoreSnapshot.`,
    );
  }

  const parsed = persistedSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `Case snapshot is invalid for machine version ${machineVersion}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return caseMachine.resolveState({ value: parsed.data.value, context: parsed.data.context });
}

/**
 * Applies one event to a stored case snapshot without side effects: validates the event, checks
 * it against the policy, computes the next snapshot and returns it for the caller to store. A refused event
 * returns the policy's refusal and changes nothing.
 */
export function applyEvent(
  persisted: unknown,
  event: CaseEvent,
  machineVersion: number = MACHINE_VERSION,
): ApplyEventResult {
  const snapshot = restoreSnapshot(persisted, machineVersion);
  const previousState = snapshot.value;

  const refusal = checkEvent(previousState, snapshot.context, event);
  if (refusal !== null) return { ok: false, refusal };

  // checkEvent validated the event; parsing again yields the normalised values (trimmed text,
  // lower-cased e-mail addresses) that the context stores.
  const accepted = caseEventSchema.parse(event);
  const [next] = transition(caseMachine, snapshot, accepted);
  // XState returns the same snapshot object when no transition is enabled. After the policy
  // allowed the event, that is a bug in the machine or the policy, never a user error.
  if (next === snapshot) {
    throw new Error(
      `case machine refused ${accepted.type} in state ${previousState} although the policy allowed it`,
    );
  }

  return {
    ok: true,
    snapshot: persist(next),
    state: next.value,
    context: next.context,
    previousState,
    stateChanged: next.value !== previousState,
  };
}
