import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseButtonClick,
  renderCaseMessage,
  renderTextMessage,
} from '../../../src/chat/slack/blocks.ts';
import { escapeMrkdwn, mrkdwn, truncate } from '../../../src/chat/slack/limits.ts';
import { buildCaseView } from '../../../src/chat/view-model.ts';
import { type CaseState, caseStates } from '../../../workflows/case-events.ts';
import {
  evidenceTexts,
  makeSignalSummary,
  makeViewInput,
  subjectEmail,
  subjectName,
} from '../view-fixtures.ts';
import { expectWithinBlockKitLimits } from './block-kit-limits.ts';

const blockActions = JSON.parse(
  readFileSync(
    new URL('../fixtures/slack/block-actions-button-ephemeral.json', import.meta.url),
    'utf8',
  ),
);

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped Slack JSON.
type Json = Record<string, any>;

describe('renderCaseMessage', () => {
  it('renders header, fields, evidence, buttons, footer', () => {
    const message = renderCaseMessage(buildCaseView(makeViewInput(), 'security', 'en'));
    const types = message.blocks.map((block) => block.type);

    expect(message.text).toBe('Insider-risk case CB-0042: Triage');
    expect(types).toEqual([
      'header',
      'section',
      'divider',
      'section',
      'section',
      'actions',
      'context',
    ]);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Insider-risk case CB-0042' },
    });
    expect((message.blocks[1] as Json).fields[0]).toEqual({
      type: 'mrkdwn',
      text: '*State*\nTriage',
    });
    expect((message.blocks.at(-1) as Json).elements[0].text).toBe(
      'Case CB-0042 · version 3 · opened 2025-03-03 09:00 UTC',
    );
  });

  it('renders buttons with action id and value', () => {
    const message = renderCaseMessage(buildCaseView(makeViewInput(), 'security', 'en'));
    const actions = message.blocks.find((block) => block.type === 'actions') as Json;

    expect(actions.elements).toEqual([
      {
        type: 'button',
        action_id: 'case:ASSIGN',
        text: { type: 'plain_text', text: 'Assign', emoji: true },
        value:
          '{"caseId":"5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a","version":3,"expectedState":"triage"}',
      },
      {
        type: 'button',
        action_id: 'case:DISMISS',
        text: { type: 'plain_text', text: 'Dismiss', emoji: true },
        value:
          '{"caseId":"5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a","version":3,"expectedState":"triage"}',
        style: 'danger',
      },
      {
        type: 'button',
        action_id: 'case:ESCALATE',
        text: { type: 'plain_text', text: 'Escalate to HR', emoji: true },
        value:
          '{"caseId":"5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a","version":3,"expectedState":"triage"}',
        style: 'primary',
      },
    ]);
    expect(actions.block_id).toBe('case-actions:3:0');
  });

  it('renders no actions block without buttons', () => {
    const message = renderCaseMessage(
      buildCaseView(makeViewInput({ state: 'hr_review' }), 'security', 'en'),
    );

    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  it('escapes mrkdwn control characters', () => {
    const input = makeViewInput({
      signals: [
        makeSignalSummary({ title: '<!channel> look at <https://evil.example|this> & that' }),
      ],
    });

    const json = JSON.stringify(renderCaseMessage(buildCaseView(input, 'security', 'en')));

    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; look at &lt;https://evil.example|this&gt; &amp; that');
  });
});

describe('Block Kit limits', () => {
  const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(200);
  const signals = Array.from({ length: 200 }, (_, index) =>
    makeSignalSummary({
      title: `${index} ${long}`,
      indicators: Array.from({ length: 50 }, (_unused, n) => `indicator-${n}-${long.slice(0, 40)}`),
      destination: long,
    }),
  );
  const input = makeViewInput({
    key: `CB-${'9'.repeat(200)}`,
    signals,
    escalationSummary: long,
    assignee: `${'a'.repeat(3000)}@example.com`,
    legalHold: true,
  });

  for (const state of ['triage', 'hr_review', 'legal_review', 'closed'] as CaseState[]) {
    for (const audience of ['security', 'hr', 'legal', 'manager'] as const) {
      it(`hold for ${audience} in ${state}`, () => {
        const view = buildCaseView({ ...input, state }, audience, 'en', { maxEvidence: 200 });

        const message = renderCaseMessage(view);

        expectWithinBlockKitLimits(message.blocks, 50);
        expect(message.text.length).toBeLessThanOrEqual(4000);
      });
    }
  }

  it('keep the evidence heading and actions when cut', () => {
    const view = buildCaseView({ ...input, state: 'triage' }, 'security', 'en', {
      maxEvidence: 200,
    });

    const message = renderCaseMessage(view);
    const texts = message.blocks.map((block) => JSON.stringify(block));

    expect(texts.some((text) => text.includes('Evidence: 200 signals'))).toBe(true);
    expect(message.blocks.at(-2)?.type).toBe('actions');
    expect(message.blocks.at(-1)?.type).toBe('context');
  });

  it('split more than five buttons', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const many = {
      ...view,
      actions: [...view.actions, ...view.actions].map((action, index) => ({
        ...action,
        event: (['ASSIGN', 'DISMISS', 'ESCALATE', 'REOPEN', 'CLOSE', 'APPROVE'] as const)[index]!,
      })),
    };

    const message = renderCaseMessage(many);
    const actionBlocks = message.blocks.filter((block) => block.type === 'actions') as Json[];

    expect(actionBlocks.map((block) => block.elements.length)).toEqual([5, 1]);
    expectWithinBlockKitLimits(message.blocks, 50);
  });
});

describe('audience separation in Slack JSON', () => {
  const input = makeViewInput({
    state: 'manager_notice',
    escalationSummary: 'Copied the customer list to a USB stick.',
    hrResponse: 'involve_manager',
  });

  it('keeps evidence out of every manager card', () => {
    for (const state of caseStates) {
      const json = JSON.stringify(
        renderCaseMessage(buildCaseView({ ...input, state }, 'manager', 'en')),
      );

      for (const text of evidenceTexts(input)) expect(json, state).not.toContain(text);
    }
  });

  it('keeps evidence out of the manager notice', () => {
    const json = JSON.stringify(renderCaseMessage(buildCaseView(input, 'manager', 'en')));

    for (const text of evidenceTexts(input)) expect(json).not.toContain(text);
    expect(json).not.toContain('Evidence');
    expect(json).not.toContain('Indicators');
    expect(json).not.toContain('risk score');
    expect(json).not.toContain('Priority');
    expect(json).toContain('Dana Lee');
    expect(json).toContain('"action_id":"case:ACKNOWLEDGE"');
    expect(json.match(/"action_id"/g)).toHaveLength(1);
  });

  it('keeps identity out of the security card', () => {
    for (const state of ['triage', 'hr_review', 'manager_notice', 'closed'] as CaseState[]) {
      const withIdentity = makeViewInput({
        state,
        escalationSummary: `Spoke about Dana Lee (${subjectEmail}).`,
        signals: [makeSignalSummary({ title: `Upload by ${subjectEmail}` })],
      });

      const json = JSON.stringify(renderCaseMessage(buildCaseView(withIdentity, 'security', 'en')));

      expect(json).not.toContain(subjectName);
      expect(json).not.toContain(subjectEmail);
    }
  });
});

describe('parseButtonClick', () => {
  it('parses a case button from a corpus payload', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const button = (
      renderCaseMessage(view).blocks.find((block) => block.type === 'actions') as Json
    ).elements[2];
    const payload = structuredClone(blockActions);
    payload.actions[0] = {
      ...payload.actions[0],
      action_id: button.action_id,
      value: button.value,
    };

    expect(parseButtonClick(payload.actions[0])).toEqual({
      event: 'ESCALATE',
      payload: {
        caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
        version: 3,
        expectedState: 'triage',
      },
    });
  });

  it('ignores other buttons', () => {
    expect(parseButtonClick(blockActions.actions[0])).toBeNull();
  });

  it('rejects bad values', () => {
    const action = { type: 'button', action_id: 'case:ESCALATE' };

    expect(parseButtonClick({ ...action, value: 'click_me_123' })).toBeNull();
    expect(
      parseButtonClick({ ...action, value: '{"caseId":"x","version":1,"expectedState":"gone"}' }),
    ).toBeNull();
    expect(
      parseButtonClick({
        ...action,
        action_id: 'case:SIGNAL_ADDED',
        value: '{"caseId":"x","version":1,"expectedState":"triage"}',
      }),
    ).toBeNull();
    expect(
      parseButtonClick({
        ...action,
        action_id: 'case:LEGAL_HOLD',
        value: '{"caseId":"x","version":1,"expectedState":"triage"}',
      }),
    ).toBeNull();
  });
});

describe('text helpers', () => {
  it('truncate keeps surrogate pairs whole', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('ab😀cd', 5)).toBe('ab😀…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('mrkdwn never leaves half an escape', () => {
    const text = mrkdwn('aaaa&', 7);

    expect(text.length).toBeLessThanOrEqual(7);
    expect(text).toBe('aaaa…');
    expect(escapeMrkdwn('<@U1> & <#C1>')).toBe('&lt;@U1&gt; &amp; &lt;#C1&gt;');
  });

  it('renders replies escaped', () => {
    expect(renderTextMessage('Note: <!here> see <https://x>')).toEqual({
      text: 'Note: &lt;!here&gt; see &lt;https://x&gt;',
    });
  });
});
