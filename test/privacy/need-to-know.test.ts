import { describe, expect, it } from 'vitest';
import { getSimplePaths } from 'xstate/graph';
import { audiences } from '../../src/chat/actions.ts';
import { caseViewInputFrom } from '../../src/chat/case-view-input.ts';
import { locales } from '../../src/chat/messages/index.ts';
import { noticeForEvent, renderNotice } from '../../src/chat/notice.ts';
import { renderCaseMessage } from '../../src/chat/slack/blocks.ts';
import { renderFormModal } from '../../src/chat/slack/modal.ts';
import { renderCaseCard, renderFormCard } from '../../src/chat/teams/cards.ts';
import {
  buildCaseView,
  type CaseView,
  type CaseViewInput,
  type RevealState,
} from '../../src/chat/view-model.ts';
import { threadAudiences } from '../../src/outbox/thread-audiences.ts';
import type { CaseEvent, CaseInput, CaseState } from '../../workflows/case-events.ts';
import { type CaseSnapshot, caseMachine } from '../../workflows/case-machine.ts';
import { makeInput, makeUnresolvedInput, subjectEmail } from '../workflows/case-builders.ts';
import { traversal } from '../workflows/case-traversal.ts';

const subjectName = 'Dana Lee';
const pseudonym = 'Subject 7F3K-Q9';
/** Words that appear only in the evidence list, so their presence means evidence was shown. */
const evidenceMarker = 'Quarterly-roadmap.xlsx';
const evidenceSource = 'incydr';

const revealStates: Array<{ name: string; reveal: RevealState | null }> = [
  { name: 'no reveal', reveal: null },
  {
    name: 'pending reveal',
    reveal: { status: 'pending', requestedBy: 'ann.analyst@example.com', reason: 'Badge log' },
  },
  {
    name: 'approved reveal',
    reveal: {
      status: 'approved',
      requestedBy: 'ann.analyst@example.com',
      approvedBy: 'hana.hr@example.com',
      expiresAt: '2025-03-04T09:00:00.000Z',
    },
  },
];

/**
 * Collects every distinct snapshot on the machine's simple paths, and every accepted move, so
 * each view and each thread reply is rendered once.
 */
function walkPaths(input: CaseInput) {
  const snapshots = new Map<string, CaseSnapshot>();
  const moves: Array<{ event: CaseEvent; before: CaseSnapshot; after: CaseSnapshot }> = [];
  const seenMoves = new Set<string>();
  for (const path of getSimplePaths(caseMachine, traversal(input))) {
    path.steps.forEach((step, index) => {
      snapshots.set(JSON.stringify([step.state.value, step.state.context]), step.state);
      if (index === 0) return;
      const before = path.steps[index - 1]!.state;
      const key = JSON.stringify([before.value, before.context, step.event]);
      if (seenMoves.has(key)) return;
      seenMoves.add(key);
      moves.push({ event: step.event, before, after: step.state });
    });
  }
  return { snapshots: [...snapshots.values()], moves };
}

/**
 * Builds the view input of a snapshot, with an escalation summary and a signal title that name the
 * subject as far as the directory knows them: an unresolved subject has only an e-mail address.
 */
function viewInput(snapshot: CaseSnapshot, reveal: RevealState | null): CaseViewInput {
  const { context } = snapshot;
  const known = context.subject.resolved ? `${subjectName} (${subjectEmail})` : subjectEmail;
  const input = caseViewInputFrom({
    id: context.caseId,
    key: 'CB-0042',
    version: 3,
    state: snapshot.value as CaseState,
    context: {
      ...context,
      escalationSummary:
        context.escalationSummary === null ? null : `${context.escalationSummary} ${known} did it.`,
    },
    pseudonym,
    subjectName: context.subject.resolved ? subjectName : null,
    signals: [
      {
        source: evidenceSource,
        title: `${evidenceMarker} uploaded by ${known}`,
        severity: 'high',
        observedAt: '2025-03-02T21:14:00.000Z',
        indicators: ['exfiltration-to-personal-cloud'],
        fileCount: 3,
        destination: 'Dropbox (personal)',
        riskScore: 87,
      },
    ],
  });
  input.reveal = reveal;
  return input;
}

/** Renders a view on every platform: Slack blocks and modals, Teams cards and form cards. */
function renderEverywhere(view: CaseView, locale: (typeof locales)[number]): string[] {
  const rendered = [
    JSON.stringify(renderCaseMessage(view)),
    JSON.stringify(renderCaseCard(view, { locale })),
    JSON.stringify(renderCaseCard(view, { locale, readOnly: true })),
  ];
  for (const action of view.actions) {
    if (action.form === null) continue;
    rendered.push(JSON.stringify(renderFormModal(action.form)));
    rendered.push(JSON.stringify(renderFormCard(action.form, view.audience, locale)));
  }
  return rendered;
}

const identityTerms = [subjectName, subjectEmail];

describe.each([
  { name: 'resolved subject', input: makeInput() },
  { name: 'unresolved subject', input: makeUnresolvedInput() },
])('need to know with $name', ({ input }) => {
  const { snapshots, moves } = walkPaths(input);

  it('walks every state of the paths', () => {
    const states = new Set(snapshots.map((snapshot) => snapshot.value));
    expect(states.size).toBeGreaterThanOrEqual(input.subject.managerEmail === null ? 6 : 8);
    expect(moves.length).toBeGreaterThan(20);
  });

  it.each(revealStates)('shows each audience only its part with $name', ({ reveal }) => {
    const leaks: string[] = [];
    for (const snapshot of snapshots) {
      const where = `${snapshot.value}`;
      for (const locale of locales) {
        for (const audience of audiences) {
          const view = buildCaseView(viewInput(snapshot, reveal), audience, locale);
          const texts = renderEverywhere(view, locale);
          const all = texts.join('\n');
          const has = (term: string) => all.includes(term);

          if (audience === 'manager') {
            if (view.evidence !== null || view.fields.length > 0)
              leaks.push(`manager view has case details in ${where}`);
            if (has(evidenceMarker) || has(evidenceSource) || has('Dropbox'))
              leaks.push(`manager sees evidence in ${where}/${locale}`);
            if (has('source code') || has(pseudonym))
              leaks.push(`manager sees case text in ${where}/${locale}`);
            if (view.actions.some((action) => action.event !== 'ACKNOWLEDGE'))
              leaks.push(`manager has other actions in ${where}`);
            continue;
          }

          if (!has(evidenceMarker)) leaks.push(`${audience} lacks evidence in ${where}/${locale}`);
          const revealed = audience !== 'security' || reveal?.status === 'approved';
          for (const term of identityTerms) {
            const expected = revealed && (term === subjectEmail || input.subject.resolved);
            if (has(term) !== expected) {
              leaks.push(
                `${audience} ${expected ? 'lacks' : 'sees'} ${term} in ${where}/${locale}/${reveal?.status ?? 'none'}`,
              );
            }
          }
          if (audience === 'security' && !revealed && !has(pseudonym))
            leaks.push(`security lacks the pseudonym in ${where}/${locale}`);
          if (audience === 'legal' && has('Badge log'))
            leaks.push(`legal sees the reveal request in ${where}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('keeps identity out of security replies', () => {
    const leaks: string[] = [];
    for (const { event, before, after } of moves) {
      const notice = noticeForEvent(event, before.context, after.context);
      for (const locale of locales) {
        for (const audience of audiences) {
          const text = renderNotice(notice, audience, locale);
          if (text === null) continue;
          if (audience === 'manager' && notice.type !== 'SLA_REMIND')
            leaks.push(`manager got a ${notice.type} reply`);
          if (audience === 'security' && identityTerms.some((term) => text.includes(term)))
            leaks.push(`security reply names the subject: ${text}`);
          if (audience === 'manager' && text.includes(evidenceMarker))
            leaks.push(`manager reply has evidence: ${text}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('never makes the subject a recipient', () => {
    for (const snapshot of snapshots) {
      const recipients = threadAudiences(snapshot.value as CaseState);
      expect(recipients as readonly string[]).not.toContain('subject');
      if (recipients.includes('manager')) {
        expect(snapshot.context.subject.managerEmail).not.toBeNull();
        expect(snapshot.context.subject.managerEmail).not.toBe(subjectEmail);
      }
    }
  });
});
