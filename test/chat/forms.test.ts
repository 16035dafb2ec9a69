import { describe, expect, it } from 'vitest';
import { type ActionPayload, buttonEventTypes } from '../../src/chat/action-payload.ts';
import { buildForm, fieldSpecs, validateFormValues } from '../../src/chat/forms.ts';
import { CasebridgeError } from '../../src/errors.ts';
import { caseEventSchema } from '../../workflows/case-events.ts';

const payload: ActionPayload = {
  caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
  version: 3,
  expectedState: 'triage',
};

const actor = { kind: 'person', email: 'ann.analyst@example.com', roles: ['security'] } as const;

describe('fieldSpecs', () => {
  it('derives fields from event schemas', () => {
    expect(fieldSpecs('REJECT')).toEqual([
      {
        id: 'reason',
        kind: 'textarea',
        required: true,
        options: [],
        maxLength: 4000,
        email: false,
      },
    ]);
    expect(fieldSpecs('ASSIGN')).toEqual([
      { id: 'assignee', kind: 'text', required: true, options: [], maxLength: null, email: true },
    ]);
    expect(fieldSpecs('CLOSE').map((spec) => [spec.id, spec.kind, spec.required])).toEqual([
      ['outcome', 'select', true],
      ['reason', 'textarea', false],
    ]);
    expect(fieldSpecs('ACKNOWLEDGE')).toEqual([]);
  });

  it('leaves the hold flag to the click', () => {
    expect(fieldSpecs('LEGAL_HOLD').map((spec) => spec.id)).toEqual(['reason']);
  });

  it('labels every field of every button event', () => {
    for (const type of buttonEventTypes) {
      const form = buildForm(
        type,
        { ...payload, hold: true },
        {
          locale: 'en',
          caseKey: 'CB-0042',
          actionLabel: type,
          managerKnown: true,
        },
      );
      if (type === 'ACKNOWLEDGE') {
        expect(form).toBeNull();
        continue;
      }
      expect(form?.title.length).toBeGreaterThan(0);
      expect(form?.title.length).toBeLessThanOrEqual(24);
      for (const field of form?.fields ?? []) expect(field.label).not.toMatch(/^form\./);
    }
  });
});

describe('validateFormValues', () => {
  it('builds the event body', () => {
    const result = validateFormValues(
      'DISMISS',
      payload,
      { outcome: 'benign', reason: '  Approved backup bucket.  ' },
      'en',
    );

    expect(result).toEqual({
      ok: true,
      body: { type: 'DISMISS', outcome: 'benign', reason: 'Approved backup bucket.' },
    });
  });

  it('produces events the machine accepts', () => {
    const result = validateFormValues('ESCALATE', payload, { summary: '4 GB to Dropbox.' }, 'en');
    if (!result.ok) throw new Error('expected a valid form');

    const event = caseEventSchema.safeParse({ ...result.body, actor, at: '2025-03-04T10:00:00Z' });

    expect(event.success).toBe(true);
  });

  it('reports missing required values', () => {
    const result = validateFormValues('DISMISS', payload, { outcome: null, reason: '   ' }, 'en');

    expect(result).toEqual({
      ok: false,
      errors: { outcome: 'Choose one of the options.', reason: 'Enter a value.' },
    });
  });

  it('reports unknown options', () => {
    const result = validateFormValues('DISMISS', payload, { outcome: 'guilty', reason: 'x' }, 'en');

    expect(result).toEqual({ ok: false, errors: { outcome: 'Choose one of the options.' } });
  });

  it('reports text over the limit', () => {
    const result = validateFormValues('REOPEN', payload, { reason: 'x'.repeat(4001) }, 'en');

    expect(result).toEqual({
      ok: false,
      errors: { reason: 'Shorten this to at most 4000 characters.' },
    });
  });

  it('reports an invalid assignee address', () => {
    const result = validateFormValues('ASSIGN', payload, { assignee: 'ann' }, 'en');

    expect(result).toEqual({
      ok: false,
      errors: { assignee: 'Enter an e-mail address such as name@example.com.' },
    });
  });

  it('lower-cases the assignee address', () => {
    const result = validateFormValues(
      'ASSIGN',
      payload,
      { assignee: ' Ann.Analyst@Example.com ' },
      'en',
    );

    expect(result).toEqual({
      ok: true,
      body: { type: 'ASSIGN', assignee: 'ann.analyst@example.com' },
    });
  });

  it('needs a proposed action for serious action', () => {
    const result = validateFormValues(
      'CHOOSE_RESPONSE',
      payload,
      { response: 'serious_action', proposedAction: null, reason: null },
      'en',
    );

    expect(result).toEqual({
      ok: false,
      errors: { proposedAction: 'Choose the action that Legal should approve.' },
    });
  });

  it('refuses a proposed action otherwise', () => {
    const result = validateFormValues(
      'CHOOSE_RESPONSE',
      payload,
      { response: 'corrective_conversation', proposedAction: 'termination' },
      'en',
    );

    expect(result).toEqual({
      ok: false,
      errors: { proposedAction: 'Only a serious action takes a proposed action; clear it.' },
    });
  });

  it('accepts a serious action with its action', () => {
    const result = validateFormValues(
      'CHOOSE_RESPONSE',
      payload,
      { response: 'serious_action', proposedAction: 'termination', reason: '' },
      'en',
    );

    expect(result).toEqual({
      ok: true,
      body: { type: 'CHOOSE_RESPONSE', response: 'serious_action', proposedAction: 'termination' },
    });
  });

  it('takes the hold flag from the payload', () => {
    const result = validateFormValues(
      'LEGAL_HOLD',
      { ...payload, hold: false },
      { reason: 'Matter closed.' },
      'en',
    );

    expect(result).toEqual({
      ok: true,
      body: { type: 'LEGAL_HOLD', hold: false, reason: 'Matter closed.' },
    });
  });

  it('rejects a hold form without flag', () => {
    let error: unknown;
    try {
      validateFormValues('LEGAL_HOLD', payload, { reason: 'Matter closed.' }, 'en');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(CasebridgeError);
    expect((error as CasebridgeError).code).toBe('EVENT_INVALID');
  });

  it('ignores fields the event lacks', () => {
    const result = validateFormValues(
      'REOPEN',
      payload,
      { reason: 'New signal.', hold: 'true' },
      'en',
    );

    expect(result).toEqual({ ok: true, body: { type: 'REOPEN', reason: 'New signal.' } });
  });
});
