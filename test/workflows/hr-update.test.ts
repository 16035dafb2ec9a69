import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../workflows/case-machine.ts';
import { actors, drive, events, expectAccepted, managerEmail, person } from './case-builders.ts';

const { ann, hana, maria, hrSync, intake } = actors;
const olivia = person('olivia.park@example.com', []);
const toManagerNotice = [events.escalate(ann), events.chooseResponse(hana, 'involve_manager')];

describe('HR_UPDATE', () => {
  it('manager change moves the acknowledgement', () => {
    const notice = drive(toManagerNotice);
    expect(notice.state).toBe('manager_notice');
    const changed = expectAccepted(
      applyEvent(notice.snapshot, events.managerChanged(hrSync, olivia.email)),
    );
    expect(changed.state).toBe('manager_notice');
    expect(changed.context.subject.managerEmail).toBe(olivia.email);

    const byOld = applyEvent(changed.snapshot, events.acknowledge(maria));
    expect(byOld.ok ? null : byOld.refusal.code).toBe('NOT_AUTHORIZED');
    const byNew = expectAccepted(applyEvent(changed.snapshot, events.acknowledge(olivia)));
    expect(byNew.state).toBe('follow_up');
  });

  it('departure keeps state and manager', () => {
    const triage = drive([]);
    const departed = expectAccepted(applyEvent(triage.snapshot, events.departure(hrSync)));
    expect(departed.state).toBe('triage');
    expect(departed.stateChanged).toBe(false);
    expect(departed.context.subject.managerEmail).toBe(managerEmail);
  });

  it('only the HR sync may send it', () => {
    const triage = drive([]);
    const refused = applyEvent(triage.snapshot, events.departure(intake));
    expect(refused.ok ? null : refused.refusal.code).toBe('NOT_AUTHORIZED');
  });

  it('closed case refuses it', () => {
    const closed = drive([events.dismiss(ann)]);
    const refused = applyEvent(closed.snapshot, events.departure(hrSync));
    expect(refused.ok ? null : refused.refusal.code).toBe('TRANSITION_NOT_ALLOWED');
  });

  it('manager change needs the new manager', () => {
    const triage = drive([]);
    const missing = applyEvent(triage.snapshot, events.managerChanged(hrSync));
    expect(missing.ok ? null : missing.refusal.code).toBe('EVENT_INVALID');
    const subject = applyEvent(
      triage.snapshot,
      events.managerChanged(hrSync, 'dana.lee@example.com'),
    );
    expect(subject.ok ? null : subject.refusal.code).toBe('EVENT_INVALID');
  });
});
