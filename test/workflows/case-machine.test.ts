import { describe, expect, it } from 'vitest';
import { caseStates } from '../../workflows/case-events.ts';
import {
  applyEvent,
  caseMachine,
  MACHINE_VERSION,
  restoreSnapshot,
  startCase,
} from '../../workflows/case-machine.ts';
import { eventsByState } from '../../workflows/policy.ts';
import { actors, drive, events, expectAccepted, makeInput } from './case-builders.ts';

const { ann, sam, hana, leo, lia, maria, intake, scheduler } = actors;

describe('caseMachine definition', () => {
  it('declares the policy event table', () => {
    for (const state of caseStates) {
      const declared = [...caseMachine.states[state]!.ownEvents].sort();

      expect(declared, state).toEqual([...eventsByState[state]].sort());
    }
  });

  it('has no delayed transitions', () => {
    for (const state of caseStates) {
      expect(caseMachine.states[state]!.after, state).toEqual([]);
    }
  });

  it('starts in triage', () => {
    const started = startCase(makeInput({ priority: 'high' }));

    expect(started.state).toBe('triage');
    expect(started.context.priority).toBe('high');
    expect(started.context.stateEnteredAt).toBe('2025-03-03T09:00:00.000Z');
    expect(started.context.lastDecision).toBeNull();
    expect(MACHINE_VERSION).toBe(1);
  });

  it('lower-cases subject addresses', () => {
    const input = makeInput({
      subject: {
        key: 'person:dana.lee',
        email: 'Dana.Lee@Example.com',
        managerEmail: 'MARIA.GOMEZ@example.com',
        resolved: true,
      },
    });

    const { context } = startCase(input);

    expect(context.subject.email).toBe('dana.lee@example.com');
    expect(context.subject.managerEmail).toBe('maria.gomez@example.com');
  });
});

describe('case lifecycle', () => {
  it('dismisses from triage', () => {
    const { state, context } = drive([events.assign(ann), events.dismiss(ann)]);

    expect(state).toBe('closed');
    expect(context.outcome).toBe('false_positive');
    expect(context.assignee).toBe(ann.email);
  });

  it('closes after corrective conversation', () => {
    const { state, context } = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'corrective_conversation'),
      events.recordConversation(hana),
    ]);

    expect(state).toBe('closed');
    expect(context.outcome).toBe('coached');
    expect(context.hrResponse).toBe('corrective_conversation');
    expect(context.escalatedBy).toBe(ann.email);
    expect(context.escalationSummary).toBe(
      '4.2 GB of source code copied to a personal cloud drive.',
    );
  });

  it('closes after manager notice', () => {
    const { state, context } = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'involve_manager'),
      events.acknowledge(maria),
      events.close(hana),
    ]);

    expect(state).toBe('closed');
    expect(context.outcome).toBe('resolved');
  });

  it('takes action after one approval', () => {
    const approved = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'serious_action', 'written_warning'),
      events.approve(leo),
    ]);
    const recorded = expectAccepted(applyEvent(approved.snapshot, events.recordAction(hana)));

    expect(approved.state).toBe('action');
    expect(approved.context.approvals).toEqual([
      { email: leo.email, at: '2025-03-04T10:00:00.000Z' },
    ]);
    expect(recorded.state).toBe('closed');
    expect(recorded.context.outcome).toBe('serious_action');
  });

  it('waits for second approval on four-eyes action', () => {
    const steps = [
      events.escalate(ann),
      events.chooseResponse(hana, 'serious_action', 'termination'),
      events.approve(leo),
    ];
    const first = drive(steps);
    const second = drive([...steps, events.approve(lia)]);

    expect(first.state).toBe('legal_review');
    expect(first.context.lastDecision).toEqual({
      type: 'APPROVE',
      actor: leo.email,
      at: '2025-03-04T10:00:00.000Z',
    });
    expect(second.state).toBe('action');
    expect(second.context.approvals.map((approval) => approval.email)).toEqual([
      leo.email,
      lia.email,
    ]);
  });

  it('clears approvals on rejection', () => {
    const { state, context } = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'serious_action', 'termination'),
      events.approve(leo),
      events.reject(lia),
    ]);

    expect(state).toBe('hr_review');
    expect(context.approvals).toEqual([]);
    expect(context.proposedAction).toBeNull();
    expect(context.hrResponse).toBeNull();
  });

  it('returns to security', () => {
    const { state, context } = drive([events.escalate(ann), events.returnToSecurity(hana)]);

    expect(state).toBe('triage');
    expect(context.escalators).toEqual([ann.email]);
    expect(context.lastDecision?.type).toBe('RETURN_TO_SECURITY');
  });

  it('reopens closed case', () => {
    const { state, context } = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'corrective_conversation'),
      events.recordConversation(hana),
      events.reopen(intake),
    ]);

    expect(state).toBe('triage');
    expect(context.reopenCount).toBe(1);
    expect(context.outcome).toBeNull();
    expect(context.hrResponse).toBeNull();
    expect(context.escalatedBy).toBeNull();
    expect(context.escalators).toEqual([ann.email]);
    expect(context.lastDecision).toEqual({
      type: 'REOPEN',
      actor: 'system:intake',
      at: '2025-03-04T10:00:00.000Z',
    });
  });
});

describe('events that keep the state', () => {
  it('raises priority to maximum', () => {
    const { state, context } = drive([
      events.signalAdded(intake, 'critical'),
      events.signalAdded(intake, 'low'),
    ]);

    expect(state).toBe('triage');
    expect(context.priority).toBe('critical');
    expect(context.signalCount).toBe(2);
  });

  it('records SLA reminders and escalations', () => {
    const escalated = drive([events.escalate(ann)]);
    const reminded = expectAccepted(
      applyEvent(escalated.snapshot, events.slaRemind(scheduler, 'hr_review')),
    );
    const overdue = expectAccepted(
      applyEvent(reminded.snapshot, events.slaEscalate(scheduler, 'hr_review')),
    );

    expect(reminded.state).toBe('hr_review');
    expect(reminded.stateChanged).toBe(false);
    expect(reminded.context.reminders).toEqual([
      { state: 'hr_review', at: '2025-03-04T10:00:00.000Z' },
    ]);
    expect(overdue.state).toBe('hr_review');
    expect(overdue.context.escalations).toEqual([
      { state: 'hr_review', at: '2025-03-04T10:00:00.000Z' },
    ]);
    expect(overdue.context.lastDecision?.type).toBe('ESCALATE');
  });

  it('sets legal hold on closed case', () => {
    const closed = drive([events.dismiss(ann)]);
    const held = expectAccepted(applyEvent(closed.snapshot, events.legalHold(leo, true)));

    expect(held.state).toBe('closed');
    expect(held.context.legalHold).toBe(true);
    expect(held.context.outcome).toBe('false_positive');
  });

  it('accepts notes without decision', () => {
    const escalated = drive([events.escalate(sam)]);
    const noted = expectAccepted(applyEvent(escalated.snapshot, events.note(leo)));

    expect(noted.stateChanged).toBe(false);
    expect(noted.context.lastDecision?.type).toBe('ESCALATE');
  });

  it('moves state entry time only on state change', () => {
    const escalated = drive([events.escalate(ann)]);
    const noted = drive([
      events.escalate(ann),
      { ...events.note(hana), at: '2025-03-05T08:00:00.000Z' },
    ]);

    expect(escalated.context.stateEnteredAt).toBe('2025-03-04T10:00:00.000Z');
    expect(noted.context.stateEnteredAt).toBe('2025-03-04T10:00:00.000Z');
    expect(noted.context.updatedAt).toBe('2025-03-05T08:00:00.000Z');
  });
});

describe('snapshot persistence', () => {
  it('round-trips through JSON', () => {
    const approved = drive([
      events.escalate(ann),
      events.chooseResponse(hana, 'serious_action', 'termination'),
      events.approve(leo),
    ]);
    const stored = JSON.parse(JSON.stringify(approved.snapshot));

    const restored = restoreSnapshot(stored, MACHINE_VERSION);
    const next = expectAccepted(applyEvent(stored, events.approve(lia)));

    expect(restored.value).toBe('legal_review');
    expect(restored.context).toEqual(approved.context);
    expect(next.state).toBe('action');
    expect(next.previousState).toBe('legal_review');
    expect(next.stateChanged).toBe(true);
  });

  it('rejects unknown machine version', () => {
    const { snapshot } = startCase(makeInput());

    expect(() => restoreSnapshot(snapshot, 2)).toThrow(/machine version 2/);
    expect(() => applyEvent(snapshot, events.note(ann), 0)).toThrow(/machine version 0/);
  });

  it('rejects invalid snapshot', () => {
    const { snapshot } = startCase(makeInput());

    expect(() => restoreSnapshot({ ...snapshot, value: 'archived' }, 1)).toThrow(/invalid/);
    expect(() => restoreSnapshot({ ...snapshot, context: {} }, 1)).toThrow(/invalid/);
    expect(() => restoreSnapshot(null, 1)).toThrow(/invalid/);
  });

  it('normalises accepted event values', () => {
    const { context } = drive([events.assign(ann, '  Sam.Analyst@Example.com ')]);

    expect(context.assignee).toBe('sam.analyst@example.com');
  });
});
