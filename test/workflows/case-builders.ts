import { expect } from 'vitest';
import type {
  Actor,
  CaseContext,
  CaseEvent,
  CaseInput,
  CaseState,
  Role,
} from '../../workflows/case-events.ts';
import {
  type ApplyEventResult,
  applyEvent,
  initialContext,
  type PersistedCaseSnapshot,
  startCase,
} from '../../workflows/case-machine.ts';

export type PersonActor = Extract<Actor, { kind: 'person' }>;

export function person(email: string, roles: Role[]): PersonActor {
  return { kind: 'person', email, roles };
}

/** The people of the sample case. Dana Lee is its subject and Maria Gomez her manager. */
export const actors = {
  ann: person('ann.analyst@example.com', ['security']),
  /** A second analyst who also has the HR and Legal roles, so separation of duties matters. */
  sam: person('sam.analyst@example.com', ['security', 'hr', 'legal']),
  hana: person('hana.hr@example.com', ['hr']),
  leo: person('leo.legal@example.com', ['legal']),
  lia: person('lia.legal@example.com', ['legal']),
  maria: person('maria.gomez@example.com', []),
  /** The manager again, with the Legal role she might hold in another part of the company. */
  mariaLawyer: person('maria.gomez@example.com', ['legal']),
  /** The subject holding every role: the roles must not matter. */
  dana: person('dana.lee@example.com', ['security', 'hr', 'legal']),
  intake: { kind: 'system', name: 'intake' } as Actor,
  scheduler: { kind: 'system', name: 'scheduler' } as Actor,
  retention: { kind: 'system', name: 'retention' } as Actor,
  hrSync: { kind: 'system', name: 'hr_sync' } as Actor,
};

export const subjectEmail = 'dana.lee@example.com';
export const managerEmail = 'maria.gomez@example.com';

export function makeInput(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
    subject: { key: 'person:dana.lee', email: subjectEmail, managerEmail, resolved: true },
    priority: 'medium',
    openedAt: '2025-03-03T09:00:00.000Z',
    ...overrides,
  };
}

/** Builds the input of a case whose subject the directory did not resolve: her e-mail address is known, her manager is not. */
export function makeUnresolvedInput(): CaseInput {
  return makeInput({
    subject: {
      key: 'email:dana.lee@example.com',
      email: subjectEmail,
      managerEmail: null,
      resolved: false,
    },
  });
}

/** Builds the context of a new case about the sample subject, with `overrides`, for calling the policy directly. */
export function makeContext(overrides: Partial<CaseContext> = {}): CaseContext {
  return { ...initialContext(makeInput()), ...overrides };
}

const at = '2025-03-04T10:00:00.000Z';

/** Builders of each event type; the actor comes first, the payload fields have sample values. */
export const events = {
  assign: (actor: Actor, assignee = 'ann.analyst@example.com'): CaseEvent => ({
    type: 'ASSIGN',
    actor,
    at,
    assignee,
  }),
  note: (actor: Actor): CaseEvent => ({ type: 'NOTE', actor, at, text: 'Called the data owner.' }),
  dismiss: (actor: Actor): CaseEvent => ({
    type: 'DISMISS',
    actor,
    at,
    outcome: 'false_positive',
    reason: 'The upload went to the approved backup bucket.',
  }),
  escalate: (actor: Actor): CaseEvent => ({
    type: 'ESCALATE',
    actor,
    at,
    summary: '4.2 GB of source code copied to a personal cloud drive.',
  }),
  chooseResponse: (
    actor: Actor,
    response: 'corrective_conversation' | 'involve_manager' | 'serious_action',
    proposedAction?: 'written_warning' | 'access_revocation' | 'termination',
  ): CaseEvent => ({
    type: 'CHOOSE_RESPONSE',
    actor,
    at,
    response,
    ...(proposedAction === undefined ? {} : { proposedAction }),
  }),
  returnToSecurity: (actor: Actor): CaseEvent => ({
    type: 'RETURN_TO_SECURITY',
    actor,
    at,
    question: 'Was the bucket on the allow list?',
  }),
  recordConversation: (actor: Actor): CaseEvent => ({
    type: 'RECORD_CONVERSATION',
    actor,
    at,
    notes: 'Explained the data handling policy.',
  }),
  acknowledge: (actor: Actor): CaseEvent => ({ type: 'ACKNOWLEDGE', actor, at }),
  close: (actor: Actor): CaseEvent => ({ type: 'CLOSE', actor, at, outcome: 'resolved' }),
  approve: (actor: Actor): CaseEvent => ({ type: 'APPROVE', actor, at }),
  reject: (actor: Actor): CaseEvent => ({
    type: 'REJECT',
    actor,
    at,
    reason: 'The evidence does not support this action.',
  }),
  recordAction: (actor: Actor): CaseEvent => ({
    type: 'RECORD_ACTION',
    actor,
    at,
    notes: 'Access revoked at 14:00.',
  }),
  reopen: (actor: Actor): CaseEvent => ({
    type: 'REOPEN',
    actor,
    at,
    reason: 'A new signal arrived for the same subject.',
  }),
  signalAdded: (actor: Actor, priority: 'low' | 'high' | 'critical' = 'critical'): CaseEvent => ({
    type: 'SIGNAL_ADDED',
    actor,
    at,
    signalId: 'c0a8e1f2-0000-4000-8000-000000000001',
    priority,
  }),
  legalHold: (actor: Actor, hold = true): CaseEvent => ({
    type: 'LEGAL_HOLD',
    actor,
    at,
    hold,
    reason: 'Litigation hold for matter 2025-17.',
  }),
  slaRemind: (actor: Actor, state: CaseState): CaseEvent => ({
    type: 'SLA_REMIND',
    actor,
    at,
    state,
  }),
  slaEscalate: (actor: Actor, state: CaseState): CaseEvent => ({
    type: 'SLA_ESCALATE',
    actor,
    at,
    state,
  }),
  anonymise: (actor: Actor): CaseEvent => ({
    type: 'ANONYMISE',
    actor,
    at,
    asOf: at,
    tombstoneKey: 'tombstone:00000000-0000-4000-8000-000000000000',
    rule: 'default.days',
    retentionDays: 365,
    redactedThrough: 3,
  }),
  departure: (actor: Actor): CaseEvent => ({
    type: 'HR_UPDATE',
    actor,
    at,
    kind: 'departure',
    lastWorkingDay: '2025-03-31',
  }),
  managerChanged: (actor: Actor, manager?: string | null): CaseEvent => ({
    type: 'HR_UPDATE',
    actor,
    at,
    kind: 'manager_changed',
    ...(manager === undefined ? {} : { managerEmail: manager }),
  }),
};

/** Starts a case and applies `steps` in order, failing on the first refusal. */
export function drive(
  steps: CaseEvent[],
  input: CaseInput = makeInput(),
): { snapshot: PersistedCaseSnapshot; state: CaseState; context: CaseContext } {
  let current = startCase(input);
  for (const step of steps) {
    const result = applyEvent(current.snapshot, step);
    if (!result.ok) {
      throw new Error(`${step.type} refused in state ${current.state}: ${result.refusal.message}`);
    }
    current = result;
  }
  return current;
}

/** Asserts that `result` is an accepted event and returns it narrowed. */
export function expectAccepted(result: ApplyEventResult): Extract<ApplyEventResult, { ok: true }> {
  expect(result.ok ? null : result.refusal).toBeNull();
  if (!result.ok) throw new Error('unreachable: the assertion above failed');
  return result;
}
