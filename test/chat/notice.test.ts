import { describe, expect, it } from 'vitest';
import { type CaseNotice, noticeForEvent, renderNotice } from '../../src/chat/notice.ts';
import type { CaseEvent } from '../../workflows/case-events.ts';
import { applyEvent } from '../../workflows/case-machine.ts';
import { actors, drive, events } from '../workflows/case-builders.ts';

const { ann, hana, leo, lia, maria, intake, scheduler } = actors;

/** Applies `event` after `steps` and returns the notice that describes it. */
function noticeAfter(steps: CaseEvent[], event: CaseEvent): CaseNotice {
  const before = drive(steps);
  const result = applyEvent(before.snapshot, event);
  if (!result.ok) throw new Error(`${event.type} refused: ${result.refusal.message}`);
  return noticeForEvent(event, before.context, result.context);
}

const toHr = [events.escalate(ann)];
const toLegal = (action: 'written_warning' | 'termination') => [
  events.escalate(ann),
  events.chooseResponse(hana, 'serious_action', action),
];

describe('noticeForEvent and renderNotice', () => {
  it('escalation', () => {
    const notice = noticeAfter([], events.escalate(ann));

    expect(notice).toEqual({ type: 'ESCALATE', actor: 'ann.analyst@example.com' });
    expect(renderNotice(notice, 'security', 'en')).toBe(
      'ann.analyst@example.com escalated this case to HR.',
    );
  });

  it('dismissal with outcome', () => {
    const notice = noticeAfter([], events.dismiss(ann));

    expect(renderNotice(notice, 'security', 'en')).toBe(
      'ann.analyst@example.com dismissed this case as False positive.',
    );
  });

  it('uses a platform name for the actor', () => {
    const before = drive([]);
    const event = events.assign(ann, 'ben.analyst@example.com');
    const result = applyEvent(before.snapshot, event);
    if (!result.ok) throw new Error('refused');

    const notice = noticeForEvent(event, before.context, result.context, '<@U0ANN>');

    expect(renderNotice(notice, 'security', 'en')).toBe(
      '<@U0ANN> assigned this case to ben.analyst@example.com.',
    );
  });

  it('serious action names the action for HR only', () => {
    const notice = noticeAfter(toHr, events.chooseResponse(hana, 'serious_action', 'termination'));

    expect(renderNotice(notice, 'hr', 'en')).toBe(
      'hana.hr@example.com proposed Termination; Legal must approve it.',
    );
    expect(renderNotice(notice, 'security', 'en')).toBe(
      'hana.hr@example.com chose the response: Serious action (needs Legal approval).',
    );
  });

  it('first of two approvals', () => {
    const notice = noticeAfter(toLegal('termination'), events.approve(leo));

    expect(notice).toEqual({
      type: 'APPROVE',
      actor: 'leo.legal@example.com',
      proposedAction: 'termination',
      count: 1,
      required: 2,
    });
    expect(renderNotice(notice, 'legal', 'en')).toBe(
      'leo.legal@example.com approved Termination (1 of 2 approvals); a second Legal approver must approve.',
    );
  });

  it('final approval', () => {
    const notice = noticeAfter(
      [...toLegal('termination'), events.approve(leo)],
      events.approve(lia),
    );

    expect(renderNotice(notice, 'hr', 'en')).toBe('lia.legal@example.com approved Termination.');
    expect(renderNotice(notice, 'security', 'en')).toBe(
      'lia.legal@example.com approved the proposed action.',
    );
  });

  it('rejection names the rejected action', () => {
    const notice = noticeAfter(toLegal('written_warning'), events.reject(leo));

    expect(renderNotice(notice, 'hr', 'en')).toBe(
      'leo.legal@example.com rejected Written warning; the case is back with HR.',
    );
  });

  it('hides note text from security', () => {
    const notice = noticeAfter([], events.note(hana));

    expect(renderNotice(notice, 'security', 'en')).toBe('hana.hr@example.com added a note.');
    expect(renderNotice(notice, 'hr', 'en')).toBe(
      'hana.hr@example.com added a note: Called the data owner.',
    );
  });

  it('new signal raises priority', () => {
    const notice = noticeAfter([], events.signalAdded(intake, 'critical'));

    expect(renderNotice(notice, 'security', 'en')).toBe(
      'A new signal joined this case; its priority is now Critical.',
    );
  });

  it('legal hold', () => {
    const notice = noticeAfter([], events.legalHold(leo, true));

    expect(renderNotice(notice, 'legal', 'en')).toBe(
      'leo.legal@example.com placed a legal hold on this case.',
    );
    expect(renderNotice({ ...notice, type: 'LEGAL_HOLD', hold: false }, 'legal', 'en')).toBe(
      'leo.legal@example.com released the legal hold on this case.',
    );
  });

  it('reminder states since when', () => {
    const notice = noticeAfter(toHr, events.slaRemind(scheduler, 'hr_review'));

    expect(renderNotice(notice, 'hr', 'en')).toBe(
      'Reminder: this case has been in HR review since 2025-03-04 10:00 UTC.',
    );
  });
});

describe('manager replies', () => {
  const toNotice = [events.escalate(ann), events.chooseResponse(hana, 'involve_manager')];

  it('get only their reminder', () => {
    const reminder = noticeAfter(toNotice, events.slaRemind(scheduler, 'manager_notice'));

    expect(
      renderNotice({ ...reminder, subjectName: 'Dana Lee' } as CaseNotice, 'manager', 'en'),
    ).toBe('Reminder: HR is waiting for you to acknowledge the notice about Dana Lee.');
  });

  it('get nothing else', () => {
    const notices = [
      noticeAfter(toNotice, events.acknowledge(maria)),
      noticeAfter(toNotice, events.note(hana)),
      noticeAfter(toNotice, events.signalAdded(intake)),
      noticeAfter(toNotice, events.slaEscalate(scheduler, 'manager_notice')),
      noticeAfter(toHr, events.slaRemind(scheduler, 'hr_review')),
    ];

    for (const notice of notices) expect(renderNotice(notice, 'manager', 'en')).toBeNull();
  });
});
