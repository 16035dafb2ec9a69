import { describe, expect, it } from 'vitest';
import {
  inputIdOf,
  maxRefreshUserIds,
  renderCaseCard,
  renderMessageCard,
  verbOf,
} from '../../../src/chat/teams/cards.ts';
import { buildCaseView } from '../../../src/chat/view-model.ts';
import { evidenceTexts, makeViewInput, subjectEmail, subjectName } from '../view-fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped Adaptive Card JSON.
type Json = Record<string, any>;

/** Returns the card as Teams receives it: plain JSON without the builders' methods. */
function cardJson(card: unknown): Json {
  return JSON.parse(JSON.stringify(card));
}

function texts(element: Json): string[] {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const record = node as Json;
      if (record.type === 'TextBlock' || record.type === 'TextRun') found.push(record.text);
      if (record.type === 'FactSet') {
        for (const fact of record.facts) found.push(`${fact.title}: ${fact.value}`);
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(element);
  return found;
}

describe('renderCaseCard', () => {
  it('renders version, headline, facts, evidence', () => {
    const card = cardJson(renderCaseCard(buildCaseView(makeViewInput(), 'security', 'en')));

    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(card.fallbackText).toBe('Insider-risk case CB-0042: Triage');
    expect(card.body[0].text).toBe('Insider-risk case CB-0042');
    const facts = card.body.find((element: Json) => element.type === 'FactSet');
    expect(facts.facts.map((fact: Json) => fact.title)).toEqual([
      'State',
      'Priority',
      'Subject',
      'Assignee',
    ]);
    const allText = texts(card).join('\n');
    expect(allText).toContain('Source code copied to personal cloud');
    expect(allText).toContain('Unusual volume of files printed');
  });

  it('renders evidence as verbatim text runs', () => {
    const input = makeViewInput();
    const card = cardJson(renderCaseCard(buildCaseView(input, 'security', 'en')));
    const runs: Json[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        const record = node as Json;
        if (record.type === 'RichTextBlock') runs.push(...record.inlines);
        Object.values(record).forEach(walk);
      }
    };
    walk(card);
    const runTexts = runs.map((run) => run.text);
    for (const text of evidenceTexts(input).filter((candidate) => candidate !== '')) {
      expect(runTexts.some((run) => run.includes(text))).toBe(true);
    }
    for (const run of runs) expect(run.type).toBe('TextRun');
  });

  it('keeps the identity from security', () => {
    const card = cardJson(renderCaseCard(buildCaseView(makeViewInput(), 'security', 'en')));
    const serialized = JSON.stringify(card);

    expect(serialized).not.toContain(subjectName);
    expect(serialized).not.toContain(subjectEmail);
  });

  it('shows no evidence to the manager', () => {
    const input = makeViewInput({ state: 'manager_notice' });
    const card = cardJson(renderCaseCard(buildCaseView(input, 'manager', 'en')));
    const serialized = JSON.stringify(card);

    for (const text of evidenceTexts(input)) expect(serialized).not.toContain(text);
    expect(card.actions).toHaveLength(1);
    expect(card.actions[0].type).toBe('Action.Execute');
    expect(card.actions[0].verb).toBe('case:ACKNOWLEDGE');
  });

  it('sends the payload as Action.Execute data', () => {
    const view = buildCaseView(makeViewInput({ state: 'manager_notice' }), 'manager', 'en');
    const card = cardJson(renderCaseCard(view));

    expect(card.actions[0].data).toEqual({
      caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
      version: 3,
      expectedState: 'manager_notice',
      audience: 'manager',
    });
  });

  it('renders one action per view action', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const card = cardJson(renderCaseCard(view));

    expect(card.actions).toHaveLength(view.actions.length);
    for (const [index, action] of view.actions.entries()) {
      const rendered = card.actions[index];
      expect(rendered.title).toBe(action.label);
      if (action.form === null) expect(rendered.verb).toBe(verbOf(action.event));
      else expect(rendered.type).toBe('Action.ShowCard');
    }
  });

  it('puts form inputs in a shown card', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const card = cardJson(renderCaseCard(view));
    const dismiss = card.actions.find((action: Json) => action.title === 'Dismiss');

    expect(dismiss.type).toBe('Action.ShowCard');
    expect(dismiss.style).toBe('destructive');
    const form = dismiss.card;
    const outcome = form.body.find(
      (element: Json) => element.id === inputIdOf('DISMISS', 'outcome'),
    );
    expect(outcome.type).toBe('Input.ChoiceSet');
    expect(outcome.isRequired).toBe(true);
    expect(outcome.errorMessage).toBe('Choose one of the options.');
    expect(outcome.choices.map((choice: Json) => choice.value)).toEqual([
      'false_positive',
      'benign',
      'no_action',
    ]);
    expect(form.actions).toHaveLength(1);
    expect(form.actions[0].type).toBe('Action.Execute');
    expect(form.actions[0].verb).toBe('case:DISMISS');
    expect(form.actions[0].data).toEqual({
      caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
      version: 3,
      expectedState: 'triage',
      audience: 'security',
    });
  });

  it('renders text inputs with limits', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const card = cardJson(renderCaseCard(view));
    const escalate = card.actions.find((action: Json) => action.title === 'Escalate to HR');
    const summary = escalate.card.body.find(
      (element: Json) => element.id === inputIdOf('ESCALATE', 'summary'),
    );

    expect(summary.type).toBe('Input.Text');
    expect(summary.isRequired).toBe(true);
    expect(summary.isMultiline).toBe(true);
    expect(summary.errorMessage).toBe('Enter a value.');
    expect(typeof summary.maxLength).toBe('number');
  });

  it('leaves actions out when read-only', () => {
    const view = buildCaseView(makeViewInput(), 'security', 'en');
    const card = cardJson(renderCaseCard(view, { readOnly: true }));

    expect(card.actions ?? []).toEqual([]);
    expect(card.refresh).toBeUndefined();
  });

  it('adds refresh for listed users', () => {
    const view = buildCaseView(makeViewInput(), 'hr', 'en');
    const userIds = Array.from({ length: 70 }, (_, index) => `29:user-${index}`);
    const card = cardJson(renderCaseCard(view, { readOnly: true, refreshUserIds: userIds }));

    expect(card.refresh.userIds).toHaveLength(maxRefreshUserIds);
    expect(card.refresh.userIds[0]).toBe('29:user-0');
    expect(card.refresh.action.type).toBe('Action.Execute');
    expect(card.refresh.action.verb).toBe('case:refresh');
    expect(card.refresh.action.data).toEqual({
      caseId: '5b0f8a9e-2f4d-4c1e-9a57-0d4c3f1e2b6a',
      audience: 'hr',
    });
  });
});

describe('renderMessageCard', () => {
  it('renders one wrapped text block', () => {
    const card = cardJson(renderMessageCard('Already escalated by a@example.com.'));

    expect(card.version).toBe('1.5');
    expect(card.body).toHaveLength(1);
    expect(card.body[0].text).toBe('Already escalated by a@example.com.');
    expect(card.body[0].wrap).toBe(true);
  });
});
