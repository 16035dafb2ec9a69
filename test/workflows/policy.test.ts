import { describe, expect, it } from 'vitest';
import { type CaseEvent, caseEventTypes, caseStates } from '../../workflows/case-events.ts';
import { applyEvent } from '../../workflows/case-machine.ts';
import {
  allowedEvents,
  checkEvent,
  eventsByState,
  fourEyesActions,
  slaLadder,
} from '../../workflows/policy.ts';
import {
  actors,
  drive,
  events,
  makeContext,
  makeInput,
  makeUnresolvedInput,
  person,
} from './case-builders.ts';

const { ann, sam, hana, leo, lia, maria, mariaLawyer, dana, intake, scheduler } = actors;

/** Applies `event` to the case that `steps` lead to and returns the refusal, or null. */
function refusalAfter(steps: CaseEvent[], event: CaseEvent, input = makeInput()) {
  const current = drive(steps, input);
  const result = applyEvent(current.snapshot, event);
  return result.ok ? null : result.refusal;
}

const toLegalReview = (
  escalator = ann,
  action: 'written_warning' | 'termination' = 'written_warning',
) => [events.escalate(escalator), events.chooseResponse(hana, 'serious_action', action)];

describe('separation of duties', () => {
  it('refuses approval by escalating analyst', () => {
    const refusal = refusalAfter(toLegalReview(sam), events.approve(sam));

    expect(refusal?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses approval by analyst who escalated before a return', () => {
    const steps = [
      events.escalate(sam),
      events.returnToSecurity(hana),
      events.escalate(ann),
      events.chooseResponse(hana, 'serious_action', 'written_warning'),
    ];

    expect(refusalAfter(steps, events.approve(sam))?.code).toBe('NOT_AUTHORIZED');
  });

  it("refuses approval by subject's manager", () => {
    const refusal = refusalAfter(toLegalReview(), events.approve(mariaLawyer));

    expect(refusal?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses the same lawyer twice', () => {
    const steps = [...toLegalReview(ann, 'termination'), events.approve(leo)];
    const current = drive(steps);

    const result = applyEvent(current.snapshot, events.approve(leo));

    expect(current.state).toBe('legal_review');
    expect(current.context.approvals.map((approval) => approval.email)).toEqual([leo.email]);
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.refusal.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses same lawyer in upper case', () => {
    const context = makeContext({
      proposedAction: 'termination',
      escalators: [ann.email],
      approvals: [{ email: 'leo.legal@example.com', at: '2025-03-04T10:00:00.000Z' }],
    });
    const upperCaseLeo = person('LEO.Legal@Example.com', ['legal']);

    expect(checkEvent('legal_review', context, events.approve(upperCaseLeo))?.code).toBe(
      'NOT_AUTHORIZED',
    );
  });

  it('refuses response chosen by escalating analyst', () => {
    const refusal = refusalAfter(
      [events.escalate(sam)],
      events.chooseResponse(sam, 'corrective_conversation'),
    );

    expect(refusal?.code).toBe('NOT_AUTHORIZED');
  });

  it('accepts response chosen by another HR member', () => {
    const refusal = refusalAfter(
      [events.escalate(ann)],
      events.chooseResponse(sam, 'corrective_conversation'),
    );

    expect(refusal).toBeNull();
  });

  it('refuses every event type from subject', () => {
    const context = makeContext({ proposedAction: 'written_warning', escalators: [ann.email] });

    for (const state of Object.keys(eventsByState) as (keyof typeof eventsByState)[]) {
      for (const event of sampleOfEveryType(dana, state)) {
        expect(checkEvent(state, context, event)?.code, `${event.type} in ${state}`).toBe(
          'NOT_AUTHORIZED',
        );
      }
    }
  });

  it('recognises subject case-insensitively', () => {
    const shouting = person('Dana.Lee@EXAMPLE.com', ['security']);
    const context = makeContext({
      subject: { ...makeContext().subject, email: 'DANA.LEE@example.com' },
    });

    expect(checkEvent('triage', context, events.note(shouting))?.code).toBe('NOT_AUTHORIZED');
    expect(checkEvent('triage', context, events.escalate(shouting))?.code).toBe('NOT_AUTHORIZED');
  });
});

describe('roles', () => {
  it('refuses approval by HR', () => {
    expect(refusalAfter(toLegalReview(), events.approve(hana))?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses escalation by HR', () => {
    expect(refusalAfter([], events.escalate(hana))?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses note from manager without role', () => {
    expect(refusalAfter([], events.note(maria))?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses acknowledgement by HR', () => {
    const steps = [events.escalate(ann), events.chooseResponse(hana, 'involve_manager')];

    expect(refusalAfter(steps, events.acknowledge(hana))?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses person events from system actors', () => {
    expect(refusalAfter([], events.escalate(intake))?.code).toBe('NOT_AUTHORIZED');
    expect(refusalAfter([], events.note(scheduler))?.code).toBe('NOT_AUTHORIZED');
  });

  it('refuses system events from people', () => {
    expect(refusalAfter([], events.signalAdded(ann))?.code).toBe('NOT_AUTHORIZED');
    expect(refusalAfter([], events.slaRemind(ann, 'triage'))?.code).toBe('NOT_AUTHORIZED');
    expect(refusalAfter([], events.slaEscalate(intake, 'triage'))?.code).toBe('NOT_AUTHORIZED');
  });

  it('accepts reopen by intake', () => {
    const closed = [events.dismiss(ann)];

    expect(refusalAfter(closed, events.reopen(intake))).toBeNull();
    expect(refusalAfter(closed, events.reopen(hana))).toBeNull();
    expect(refusalAfter(closed, events.reopen(leo))?.code).toBe('NOT_AUTHORIZED');
    expect(refusalAfter(closed, events.reopen(scheduler))?.code).toBe('NOT_AUTHORIZED');
  });
});

describe('state', () => {
  it('refuses approval in triage', () => {
    expect(refusalAfter([], events.approve(leo))?.code).toBe('TRANSITION_NOT_ALLOWED');
  });

  it('names last decision in refusal', () => {
    const steps = [events.escalate(ann), events.chooseResponse(hana, 'corrective_conversation')];

    const refusal = refusalAfter(steps, events.chooseResponse(sam, 'involve_manager'));

    expect(refusal?.code).toBe('TRANSITION_NOT_ALLOWED');
    expect(refusal?.message).toContain(hana.email);
  });

  it('refuses stale SLA timer', () => {
    const steps = [events.escalate(ann)];

    expect(refusalAfter(steps, events.slaRemind(scheduler, 'triage'))?.code).toBe(
      'TRANSITION_NOT_ALLOWED',
    );
    expect(refusalAfter(steps, events.slaEscalate(scheduler, 'triage'))?.code).toBe(
      'TRANSITION_NOT_ALLOWED',
    );
    expect(refusalAfter(steps, events.slaRemind(scheduler, 'hr_review'))).toBeNull();
  });

  it('accepts only reopen, note, hold when closed', () => {
    const closed = [events.dismiss(ann)];
    const accepted = sampleOfEveryType(hana, 'closed')
      .concat(sampleOfEveryType(leo, 'closed'), sampleOfEveryType(intake, 'closed'))
      .concat(sampleOfEveryType(scheduler, 'closed'))
      .filter((event) => refusalAfter(closed, event) === null)
      .map((event) => event.type);

    expect([...new Set(accepted)].sort()).toEqual(['LEGAL_HOLD', 'NOTE', 'REOPEN']);
  });

  it('refuses manager notice without manager', () => {
    const refusal = refusalAfter(
      [events.escalate(ann)],
      events.chooseResponse(hana, 'involve_manager'),
      makeUnresolvedInput(),
    );

    expect(refusal?.code).toBe('TRANSITION_NOT_ALLOWED');
  });
});

describe('payload', () => {
  it('refuses serious action without proposal', () => {
    const refusal = refusalAfter(
      [events.escalate(ann)],
      events.chooseResponse(hana, 'serious_action'),
    );

    expect(refusal?.code).toBe('EVENT_INVALID');
  });

  it('refuses proposal with other responses', () => {
    const refusal = refusalAfter(
      [events.escalate(ann)],
      events.chooseResponse(hana, 'corrective_conversation', 'written_warning'),
    );

    expect(refusal?.code).toBe('EVENT_INVALID');
  });

  it('refuses assignment to subject', () => {
    expect(refusalAfter([], events.assign(ann, 'Dana.Lee@example.com'))?.code).toBe(
      'EVENT_INVALID',
    );
  });

  it('refuses event failing schema', () => {
    const empty = { ...events.escalate(ann), summary: '   ' } as CaseEvent;
    const unknownType = { ...events.note(ann), type: 'PROMOTE' } as unknown as CaseEvent;

    expect(refusalAfter([], empty)?.code).toBe('EVENT_INVALID');
    expect(checkEvent('triage', makeContext(), unknownType)?.code).toBe('EVENT_INVALID');
  });
});

describe('allowedEvents', () => {
  const hrReview = drive([events.escalate(ann)]);

  it('lists HR events in hr_review', () => {
    expect(allowedEvents('hr_review', hrReview.context, hana)).toEqual([
      'CHOOSE_RESPONSE',
      'RETURN_TO_SECURITY',
      'NOTE',
    ]);
  });

  it('lists nothing for subject', () => {
    expect(allowedEvents('hr_review', hrReview.context, dana)).toEqual([]);
  });

  it('lists nothing for scheduler', () => {
    expect(allowedEvents('hr_review', hrReview.context, scheduler)).toEqual([]);
  });

  it('lists acknowledge for manager', () => {
    const notice = drive([events.escalate(ann), events.chooseResponse(hana, 'involve_manager')]);

    expect(allowedEvents('manager_notice', notice.context, maria)).toEqual(['ACKNOWLEDGE']);
  });

  it('omits approve after own approval', () => {
    const review = drive([...toLegalReview(ann, 'termination'), events.approve(leo)]);

    expect(allowedEvents('legal_review', review.context, leo)).toEqual([
      'REJECT',
      'NOTE',
      'LEGAL_HOLD',
    ]);
    expect(allowedEvents('legal_review', review.context, lia)).toEqual([
      'APPROVE',
      'REJECT',
      'NOTE',
      'LEGAL_HOLD',
    ]);
  });
});

describe('policy tables', () => {
  it('lists four-eyes actions', () => {
    expect([...fourEyesActions]).toEqual(['termination', 'law_enforcement_referral']);
  });

  it('gives a rising SLA ladder per open state', () => {
    for (const state of caseStates.filter((candidate) => candidate !== 'closed')) {
      const ladder = slaLadder(state);
      expect(ladder.length, state).toBeGreaterThanOrEqual(2);
      expect(ladder[0]!.kind, state).toBe('remind');
      expect(ladder.at(-1)!.kind, state).toBe('escalate');
      const hours = ladder.map((step) => step.afterHours);
      expect(hours, state).toEqual([...hours].sort((a, b) => a - b));
      expect(new Set(hours).size, state).toBe(hours.length);
    }
    expect(slaLadder('closed')).toEqual([]);
  });

  it('escalates manager notice to the next manager', () => {
    expect(slaLadder('manager_notice')).toEqual([
      { kind: 'remind', afterHours: 24 },
      { kind: 'escalate', afterHours: 72, alsoNotify: 'managers_manager' },
    ]);
    const others = caseStates.filter((state) => state !== 'manager_notice');
    for (const state of others) {
      expect(
        slaLadder(state).some((step) => step.alsoNotify !== undefined),
        state,
      ).toBe(false);
    }
  });

  it('covers every event type', () => {
    const covered = new Set(Object.values(eventsByState).flat());

    expect([...covered].sort()).toEqual([...caseEventTypes].sort());
  });
});

/** One valid event of every type from `actor`; SLA events name `state`. */
function sampleOfEveryType(
  actor: (typeof actors)[keyof typeof actors],
  state: keyof typeof eventsByState,
) {
  return [
    events.assign(actor),
    events.note(actor),
    events.dismiss(actor),
    events.escalate(actor),
    events.chooseResponse(actor, 'serious_action', 'written_warning'),
    events.returnToSecurity(actor),
    events.recordConversation(actor),
    events.acknowledge(actor),
    events.close(actor),
    events.approve(actor),
    events.reject(actor),
    events.recordAction(actor),
    events.reopen(actor),
    events.signalAdded(actor),
    events.legalHold(actor),
    events.slaRemind(actor, state),
    events.slaEscalate(actor, state),
  ];
}
