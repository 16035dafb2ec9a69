import { describe, expect, it } from 'vitest';
import type { ButtonEventType } from '../../src/chat/action-payload.ts';
import type { Audience } from '../../src/chat/actions.ts';
import { buildCaseView } from '../../src/chat/view-model.ts';
import type { CaseState } from '../../workflows/case-events.ts';
import {
  evidenceTexts,
  makeSignalSummary,
  makeViewInput,
  pseudonym,
  subjectEmail,
  subjectName,
} from './view-fixtures.ts';

/** The buttons each audience gets in each state, written out rather than derived from the policy. */
const expectedButtons: Record<CaseState, Record<Audience, ButtonEventType[]>> = {
  triage: {
    security: ['ASSIGN', 'DISMISS', 'ESCALATE'],
    hr: [],
    legal: ['LEGAL_HOLD'],
    manager: [],
  },
  hr_review: {
    security: [],
    hr: ['CHOOSE_RESPONSE', 'RETURN_TO_SECURITY'],
    legal: ['LEGAL_HOLD'],
    manager: [],
  },
  conversation: { security: [], hr: ['RECORD_CONVERSATION'], legal: ['LEGAL_HOLD'], manager: [] },
  manager_notice: { security: [], hr: [], legal: ['LEGAL_HOLD'], manager: ['ACKNOWLEDGE'] },
  follow_up: { security: [], hr: ['CLOSE'], legal: ['LEGAL_HOLD'], manager: [] },
  legal_review: { security: [], hr: [], legal: ['APPROVE', 'REJECT', 'LEGAL_HOLD'], manager: [] },
  action: { security: [], hr: ['RECORD_ACTION'], legal: ['LEGAL_HOLD'], manager: [] },
  closed: { security: ['REOPEN'], hr: ['REOPEN'], legal: ['LEGAL_HOLD'], manager: [] },
};

describe('buttons per state and audience', () => {
  for (const [state, byAudience] of Object.entries(expectedButtons)) {
    for (const [audience, buttons] of Object.entries(byAudience)) {
      it(`${audience} in ${state}`, () => {
        const view = buildCaseView(
          makeViewInput({ state: state as CaseState }),
          audience as Audience,
          'en',
        );

        expect(view.actions.map((action) => action.event)).toEqual(buttons);
      });
    }
  }

  it('carries case id, version and state', () => {
    const view = buildCaseView(makeViewInput({ state: 'hr_review', version: 7 }), 'hr', 'en');

    for (const action of view.actions) {
      expect(action.payload).toEqual({
        caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
        version: 7,
        expectedState: 'hr_review',
      });
      expect(action.form?.payload ?? action.payload).toEqual(action.payload);
    }
  });

  it('labels and styles security buttons', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');

    expect(view.actions.map((action) => [action.label, action.style])).toEqual([
      ['Assign', 'default'],
      ['Dismiss', 'danger'],
      ['Escalate to HR', 'primary'],
    ]);
  });

  it('places a hold when none is in place', () => {
    const view = buildCaseView(makeViewInput({ state: 'legal_review' }), 'legal', 'en');
    const hold = view.actions.find((action) => action.event === 'LEGAL_HOLD');

    expect(hold?.label).toBe('Place legal hold');
    expect(hold?.payload.hold).toBe(true);
    expect(hold?.form?.title).toBe('Place legal hold');
  });

  it('releases a hold in place', () => {
    const view = buildCaseView(makeViewInput({ state: 'closed', legalHold: true }), 'legal', 'en');
    const hold = view.actions.find((action) => action.event === 'LEGAL_HOLD');

    expect(hold?.label).toBe('Release legal hold');
    expect(hold?.payload.hold).toBe(false);
    expect(hold?.form?.title).toBe('Release legal hold');
    expect(hold?.form?.fields.map((field) => field.id)).toEqual(['reason']);
  });
});

describe('forms of actions', () => {
  const formOf = (
    state: CaseState,
    audience: Audience,
    event: ButtonEventType,
    managerKnown = true,
  ) => {
    const input = makeViewInput({ state, subject: { ...makeViewInput().subject, managerKnown } });
    return buildCaseView(input, audience, 'en').actions.find((action) => action.event === event)
      ?.form;
  };

  it('asks for a summary to escalate', () => {
    const form = formOf('triage', 'security', 'ESCALATE');

    expect(form?.title).toBe('Escalate to HR');
    expect(form?.intro).toBe('Case CB-0042: Escalate to HR');
    expect(form?.fields).toEqual([
      {
        id: 'summary',
        label: 'Summary for HR',
        kind: 'textarea',
        required: true,
        options: [],
        maxLength: 4000,
        hint: null,
      },
    ]);
  });

  it('asks for outcome and reason to dismiss', () => {
    const form = formOf('triage', 'security', 'DISMISS');

    expect(form?.fields.map((field) => [field.id, field.kind, field.required])).toEqual([
      ['outcome', 'select', true],
      ['reason', 'textarea', true],
    ]);
    expect(form?.fields[0]?.options).toEqual([
      { value: 'false_positive', label: 'False positive' },
      { value: 'benign', label: 'Benign' },
      { value: 'no_action', label: 'No action needed' },
    ]);
  });

  it('asks for an assignee address', () => {
    const field = formOf('triage', 'security', 'ASSIGN')?.fields[0];

    expect(field?.id).toBe('assignee');
    expect(field?.kind).toBe('text');
    expect(field?.required).toBe(true);
  });

  it('offers every HR response', () => {
    const form = formOf('hr_review', 'hr', 'CHOOSE_RESPONSE');

    expect(form?.fields.map((field) => [field.id, field.kind, field.required])).toEqual([
      ['response', 'select', true],
      ['proposedAction', 'select', false],
      ['reason', 'textarea', false],
    ]);
    expect(form?.fields[0]?.options.map((option) => option.value)).toEqual([
      'corrective_conversation',
      'involve_manager',
      'serious_action',
    ]);
    expect(form?.fields[1]?.options.map((option) => option.value)).toEqual([
      'written_warning',
      'access_revocation',
      'suspension',
      'termination',
      'law_enforcement_referral',
    ]);
    expect(form?.fields[1]?.hint).toBe('Required for a serious action; leave it empty otherwise.');
  });

  it('omits involving an unknown manager', () => {
    const form = formOf('hr_review', 'hr', 'CHOOSE_RESPONSE', false);

    expect(form?.fields[0]?.options.map((option) => option.value)).toEqual([
      'corrective_conversation',
      'serious_action',
    ]);
  });

  it('labels notes by event', () => {
    expect(formOf('conversation', 'hr', 'RECORD_CONVERSATION')?.fields[0]?.label).toBe(
      'Notes from the conversation',
    );
    expect(formOf('action', 'hr', 'RECORD_ACTION')?.fields[0]?.label).toBe('What was done');
  });

  it('lets approval reason be optional', () => {
    const form = formOf('legal_review', 'legal', 'APPROVE');

    expect(form?.fields.map((field) => [field.id, field.required])).toEqual([['reason', false]]);
  });

  it('sends acknowledgement without form', () => {
    const view = buildCaseView(makeViewInput({ state: 'manager_notice' }), 'manager', 'en');

    expect(view.actions).toHaveLength(1);
    expect(view.actions[0]?.label).toBe('Acknowledge');
    expect(view.actions[0]?.style).toBe('primary');
    expect(view.actions[0]?.form).toBeNull();
  });
});

describe('security view', () => {
  it('shows the pseudonym as subject', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');

    expect(view.subjectLabel).toBe(pseudonym);
    expect(view.fields.find((field) => field.id === 'subject')?.value).toBe(pseudonym);
  });

  it('removes identity from feed and analyst text', () => {
    const input = makeViewInput({
      state: 'hr_review',
      escalationSummary: 'Dana Lee uploaded 4 GB; see DANA.LEE@example.com activity.',
      signals: [
        makeSignalSummary({
          title: 'Notable user dana.lee@example.com',
          indicators: ['dana.lee ran a mass download', 'Login by dana lee'],
          destination: 'Share of Dana  Lee',
        }),
      ],
    });

    const json = JSON.stringify(buildCaseView(input, 'security', 'en')).toLowerCase();

    expect(json).not.toContain(subjectEmail);
    expect(json).not.toContain(subjectName.toLowerCase());
    expect(json).not.toContain('dana.lee');
    expect(json).not.toContain('dana lee');
    expect(json).not.toMatch(/dana\s+lee/);
    expect(json).toContain(`notable user ${pseudonym.toLowerCase()}`);
  });

  it('replaces whole words only', () => {
    const input = makeViewInput({
      subject: {
        pseudonym,
        name: 'Zoë Ann',
        email: 'ann@example.com',
        resolved: true,
        managerKnown: true,
      },
      signals: [
        makeSignalSummary({ title: 'Annual upload by ann and by Zoë Ann, mail ANN@example.com' }),
      ],
    });

    const title = buildCaseView(input, 'security', 'en').evidence?.items[0]?.title;

    expect(title).toBe(`Annual upload by ${pseudonym} and by ${pseudonym}, mail ${pseudonym}`);
  });

  it('hides the proposed action', () => {
    const input = makeViewInput({
      state: 'legal_review',
      hrResponse: 'serious_action',
      proposedAction: 'termination',
    });

    const view = buildCaseView(input, 'security', 'en');

    expect(view.fields.map((field) => field.id)).not.toContain('proposedAction');
    expect(JSON.stringify(view)).not.toContain('Termination');
    expect(view.fields.find((field) => field.id === 'hrResponse')?.value).toBe(
      'Serious action (needs Legal approval)',
    );
  });
});

describe('hr and legal views', () => {
  it('shows name and e-mail', () => {
    for (const audience of ['hr', 'legal'] as const) {
      const view = buildCaseView(makeViewInput({ state: 'hr_review' }), audience, 'en');

      expect(view.subjectLabel).toBe('Dana Lee <dana.lee@example.com>');
    }
  });

  it('marks a subject outside the directory', () => {
    const input = makeViewInput({
      subject: { pseudonym, name: null, email: subjectEmail, resolved: false, managerKnown: false },
    });

    expect(buildCaseView(input, 'hr', 'en').subjectLabel).toBe(
      'dana.lee@example.com (not in the directory)',
    );
    expect(buildCaseView(input, 'security', 'en').subjectLabel).toBe(
      `${pseudonym} (not in the directory)`,
    );
  });

  it('lists fields of a case in legal review', () => {
    const input = makeViewInput({
      state: 'legal_review',
      assignee: 'ann.analyst@example.com',
      escalationSummary: '4.2 GB of source code copied to a personal cloud drive.',
      hrResponse: 'serious_action',
      proposedAction: 'termination',
      approvals: [{ email: 'leo.legal@example.com', at: '2025-03-05T10:00:00.000Z' }],
      reminders: [
        { state: 'hr_review', at: '2025-03-04T09:00:00.000Z' },
        { state: 'legal_review', at: '2025-03-06T11:30:00.000Z' },
      ],
    });

    const view = buildCaseView(input, 'legal', 'en');

    expect(view.fields.map((field) => [field.label, field.value, field.long])).toEqual([
      ['State', 'Legal review', false],
      ['Priority', 'High', false],
      ['Subject', 'Dana Lee <dana.lee@example.com>', false],
      ['Assignee', 'ann.analyst@example.com', false],
      ['HR response', 'Serious action (needs Legal approval)', false],
      ['Proposed action', 'Termination', false],
      ['Legal approvals', '1 of 2: leo.legal@example.com', false],
      ['Reminders sent', '1 in this state, the last at 2025-03-06 11:30 UTC', false],
      ['Escalation summary', '4.2 GB of source code copied to a personal cloud drive.', true],
    ]);
    expect(view.headline).toBe('Insider-risk case CB-0042');
    expect(view.summary).toBe('Insider-risk case CB-0042: Legal review');
    expect(view.footer).toBe('Case CB-0042 · version 3 · opened 2025-03-03 09:00 UTC');
    expect(view.priority).toEqual({ value: 'high', label: 'High' });
  });

  it('shows outcome and legal hold', () => {
    const view = buildCaseView(
      makeViewInput({ state: 'closed', outcome: 'false_positive', legalHold: true }),
      'hr',
      'en',
    );

    expect(view.fields.find((field) => field.id === 'outcome')?.value).toBe('False positive');
    expect(view.banners).toEqual([
      'A legal hold is in place: nothing about this case may be deleted.',
    ]);
  });
});

describe('evidence list', () => {
  it('orders by severity then time', () => {
    const input = makeViewInput({
      signals: [
        makeSignalSummary({
          title: 'low old',
          severity: 'low',
          observedAt: '2025-01-01T00:00:00Z',
        }),
        makeSignalSummary({ title: 'critical', severity: 'critical' }),
        makeSignalSummary({
          title: 'low new',
          severity: 'low',
          observedAt: '2025-02-01T00:00:00Z',
        }),
      ],
    });

    const evidence = buildCaseView(input, 'security', 'en').evidence;

    expect(evidence?.heading).toBe('Evidence: 3 signals');
    expect(evidence?.items.map((item) => item.title)).toEqual(['critical', 'low new', 'low old']);
    expect(evidence?.more).toBeNull();
  });

  it('describes one signal', () => {
    const evidence = buildCaseView(makeViewInput(), 'hr', 'en').evidence;

    expect(evidence?.items[0]).toEqual({
      title: 'Source code copied to personal cloud',
      severity: 'high',
      detail:
        'High · incydr · 2025-03-02 21:14 UTC · 42 files · to Dropbox (personal) · risk score 87',
      indicators: 'Indicators: exfiltration-to-personal-cloud, off-hours',
    });
    expect(evidence?.items[1]?.detail).toBe('Medium · exabeam · 2025-03-01 08:00 UTC · 1 file');
  });

  it('counts signals left out', () => {
    const signals = Array.from({ length: 25 }, () => makeSignalSummary());

    const evidence = buildCaseView(makeViewInput({ signals }), 'hr', 'en', {
      maxEvidence: 10,
    }).evidence;

    expect(evidence?.items).toHaveLength(10);
    expect(evidence?.more).toBe(
      '…and 15 more signals; run "casebridge cases show CB-0042" for all of them.',
    );
  });

  it('says when there are none', () => {
    const evidence = buildCaseView(makeViewInput({ signals: [] }), 'security', 'en').evidence;

    expect(evidence?.heading).toBe('No signals are attached to this case.');
    expect(evidence?.items).toEqual([]);
  });
});

describe('manager notice', () => {
  const input = makeViewInput({
    state: 'manager_notice',
    escalationSummary: 'Copied the customer list to a USB stick.',
    hrResponse: 'involve_manager',
    outcome: null,
    reminders: [{ state: 'manager_notice', at: '2025-03-06T09:00:00.000Z' }],
  });

  it('names the subject and asks for acknowledgement', () => {
    const view = buildCaseView(input, 'manager', 'en');

    expect(view.headline).toBe('A notice from HR about Dana Lee');
    expect(view.banners).toEqual([
      'HR asks you, as the manager of Dana Lee, to hold a conversation with them about a workplace matter. HR will contact you with the details you need. Please acknowledge that you have received this notice.',
    ]);
    expect(view.footer).toBe('Reference CB-0042');
  });

  it('contains no evidence', () => {
    const view = buildCaseView(input, 'manager', 'en');
    const json = JSON.stringify(view);

    expect(view.evidence).toBeNull();
    expect(view.fields).toEqual([]);
    expect(view.priority).toBeNull();
    for (const text of evidenceTexts(input)) expect(json).not.toContain(text);
  });

  it('thanks after acknowledgement', () => {
    const view = buildCaseView({ ...input, state: 'follow_up' }, 'manager', 'en');

    expect(view.banners).toEqual([
      'Thank you: this notice about Dana Lee needs nothing more from you.',
    ]);
    expect(view.actions).toEqual([]);
  });
});
