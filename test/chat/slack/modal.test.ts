import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateFormValues } from '../../../src/chat/forms.ts';
import {
  formErrorsResponse,
  parseViewSubmission,
  renderFormModal,
} from '../../../src/chat/slack/modal.ts';
import { buildCaseView, type FormView } from '../../../src/chat/view-model.ts';
import { CasebridgeError } from '../../../src/errors.ts';
import type { CaseState } from '../../../workflows/case-events.ts';
import { makeViewInput } from '../view-fixtures.ts';
import { expectWithinBlockKitLimits } from './block-kit-limits.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped Slack JSON.
type Json = Record<string, any>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8'));
}

const corpusSubmission = fixture('view-submission-modal.json');
const corpusErrors = fixture('view-submission-response-action-errors.json');

function formFor(state: CaseState, audience: 'security' | 'hr' | 'legal', event: string): FormView {
  const view = buildCaseView(makeViewInput({ state }), audience, 'en');
  const form = view.actions.find((action) => action.event === event)?.form;
  if (form == null) throw new Error(`no ${event} form for ${audience} in ${state}`);
  return form;
}

/** Builds what Slack stores for one input: a text value, or the selected option of a select. */
function stateValue(block: Json, answer: string | null): Json {
  if (block.element.type === 'static_select') {
    const option = block.element.options.find((candidate: Json) => candidate.value === answer);
    return { type: 'static_select', selected_option: option ?? null };
  }
  return { type: 'plain_text_input', value: answer };
}

/** Builds a view_submission in the corpus shape for a modal, with `answers` keyed by block id. */
function submit(modal: Json, answers: Record<string, string | null>): Json {
  const payload = structuredClone(corpusSubmission);
  const values: Json = {};
  for (const block of modal.blocks.filter((candidate: Json) => candidate.type === 'input')) {
    values[block.block_id] = {
      [block.element.action_id]: stateValue(block, answers[block.block_id] ?? null),
    };
  }
  payload.view = {
    ...payload.view,
    blocks: modal.blocks,
    callback_id: modal.callback_id,
    private_metadata: modal.private_metadata,
    title: modal.title,
    state: { values },
  };
  return payload;
}

describe('renderFormModal', () => {
  it('renders a modal with input blocks', () => {
    const modal = renderFormModal(formFor('triage', 'security', 'DISMISS')) as Json;

    expect(modal.type).toBe('modal');
    expect(modal.callback_id).toBe('case-form:DISMISS');
    expect(JSON.parse(modal.private_metadata)).toEqual({
      caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
      version: 3,
      expectedState: 'triage',
    });
    expect(modal.title).toEqual({ type: 'plain_text', text: 'Dismiss case', emoji: true });
    expect(modal.submit.text).toBe('Submit');
    expect(modal.close.text).toBe('Cancel');
    expect(modal.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Case CB-0042: Dismiss' },
    });
    expect(modal.blocks[1]).toEqual({
      type: 'input',
      block_id: 'outcome',
      optional: false,
      label: { type: 'plain_text', text: 'Outcome', emoji: true },
      element: {
        type: 'static_select',
        action_id: 'outcome',
        options: [
          {
            text: { type: 'plain_text', text: 'False positive', emoji: true },
            value: 'false_positive',
          },
          { text: { type: 'plain_text', text: 'Benign', emoji: true }, value: 'benign' },
          {
            text: { type: 'plain_text', text: 'No action needed', emoji: true },
            value: 'no_action',
          },
        ],
      },
    });
    expect(modal.blocks[2]).toEqual({
      type: 'input',
      block_id: 'reason',
      optional: false,
      label: { type: 'plain_text', text: 'Reason', emoji: true },
      element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 3000 },
    });
  });

  it('marks optional fields and hints', () => {
    const modal = renderFormModal(formFor('hr_review', 'hr', 'CHOOSE_RESPONSE')) as Json;
    const proposed = modal.blocks.find((block: Json) => block.block_id === 'proposedAction');

    expect(proposed.optional).toBe(true);
    expect(proposed.hint.text).toBe('Required for a serious action; leave it empty otherwise.');
  });

  it('stays within modal limits', () => {
    const forms: Array<[CaseState, 'security' | 'hr' | 'legal', string]> = [
      ['triage', 'security', 'ASSIGN'],
      ['triage', 'security', 'DISMISS'],
      ['triage', 'security', 'ESCALATE'],
      ['hr_review', 'hr', 'CHOOSE_RESPONSE'],
      ['hr_review', 'hr', 'RETURN_TO_SECURITY'],
      ['conversation', 'hr', 'RECORD_CONVERSATION'],
      ['follow_up', 'hr', 'CLOSE'],
      ['legal_review', 'legal', 'APPROVE'],
      ['legal_review', 'legal', 'REJECT'],
      ['legal_review', 'legal', 'LEGAL_HOLD'],
      ['action', 'hr', 'RECORD_ACTION'],
      ['closed', 'security', 'REOPEN'],
    ];
    for (const [state, audience, event] of forms) {
      const modal = renderFormModal(formFor(state, audience, event)) as Json;

      expectWithinBlockKitLimits(modal.blocks, 100);
      expect(modal.title.text.length).toBeLessThanOrEqual(24);
      expect(modal.private_metadata.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('view_submission round trip', () => {
  it('parses the values back', () => {
    const form = formFor('hr_review', 'hr', 'CHOOSE_RESPONSE');
    const modal = renderFormModal(form) as Json;

    const submission = parseViewSubmission(
      submit(modal, { response: 'serious_action', proposedAction: 'termination', reason: null }),
    );

    expect(submission).toEqual({
      event: 'CHOOSE_RESPONSE',
      payload: form.payload,
      userId: 'W111',
      values: { response: 'serious_action', proposedAction: 'termination', reason: null },
    });
    expect(
      validateFormValues(submission.event, submission.payload, submission.values, 'en'),
    ).toEqual({
      ok: true,
      body: { type: 'CHOOSE_RESPONSE', response: 'serious_action', proposedAction: 'termination' },
    });
  });

  it('keeps the legal hold flag', () => {
    const form = formFor('legal_review', 'legal', 'LEGAL_HOLD');
    const submission = parseViewSubmission(
      submit(renderFormModal(form) as Json, { reason: 'Matter 17.' }),
    );

    expect(submission.payload.hold).toBe(true);
    expect(
      validateFormValues(submission.event, submission.payload, submission.values, 'en'),
    ).toEqual({
      ok: true,
      body: { type: 'LEGAL_HOLD', hold: true, reason: 'Matter 17.' },
    });
  });

  it('answers invalid input with corpus-shaped errors', () => {
    const form = formFor('triage', 'security', 'DISMISS');
    const submission = parseViewSubmission(submit(renderFormModal(form) as Json, { reason: '  ' }));

    const result = validateFormValues(
      submission.event,
      submission.payload,
      submission.values,
      'en',
    );
    if (result.ok) throw new Error('expected errors');
    const response = formErrorsResponse(result.errors);

    expect(response).toEqual({
      response_action: 'errors',
      errors: { outcome: 'Choose one of the options.', reason: 'Enter a value.' },
    });
    expect(Object.keys(response).sort()).toEqual(
      Object.keys(corpusErrors)
        .filter((key) => key !== 'note')
        .sort(),
    );
    expect(response.response_action).toBe(corpusErrors.response_action);
  });

  it('rejects the corpus modal', () => {
    let error: unknown;
    try {
      parseViewSubmission(corpusSubmission);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(CasebridgeError);
    expect((error as CasebridgeError).code).toBe('PAYLOAD_INVALID');
  });

  it('rejects tampered metadata', () => {
    const modal = renderFormModal(formFor('triage', 'security', 'ESCALATE')) as Json;
    const payload = submit(modal, { summary: 'x' });
    payload.view.private_metadata = '{"caseId":"x","version":-1,"expectedState":"triage"}';

    expect(() => parseViewSubmission(payload)).toThrow(/private_metadata/);
  });

  it('rejects non-submissions', () => {
    for (const body of [
      null,
      'payload',
      { type: 'block_actions' },
      { ...corpusSubmission, view: {} },
    ]) {
      let error: unknown;
      try {
        parseViewSubmission(body);
      } catch (caught) {
        error = caught;
      }

      expect(error).toBeInstanceOf(CasebridgeError);
      expect((error as CasebridgeError).code).toBe('PAYLOAD_INVALID');
    }
  });
});
