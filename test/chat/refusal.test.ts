import { describe, expect, it } from 'vitest';
import { rolesFor } from '../../src/chat/actions.ts';
import { refusalForError, renderRefusal } from '../../src/chat/refusal.ts';
import { CasebridgeError } from '../../src/errors.ts';

describe('renderRefusal', () => {
  it('already decided', () => {
    const text = renderRefusal(
      {
        kind: 'alreadyDecided',
        event: 'ESCALATE',
        actor: 'ann.analyst@example.com',
        at: '2025-03-04T10:00:00.000Z',
      },
      'en',
    );

    expect(text).toBe(
      'Already escalated to HR by ann.analyst@example.com at 2025-03-04 10:00 UTC.',
    );
  });

  it('role required', () => {
    expect(renderRefusal({ kind: 'roleRequired', roles: rolesFor('APPROVE') }, 'en')).toBe(
      'You need the Legal role to do this.',
    );
    expect(renderRefusal({ kind: 'roleRequired', roles: rolesFor('REOPEN') }, 'en')).toBe(
      'You need the Security or HR role to do this.',
    );
  });

  it('unknown e-mail', () => {
    expect(
      renderRefusal({ kind: 'unknownEmail', platform: 'slack', email: 'pat@example.com' }, 'en'),
    ).toBe(
      "Your Slack account's e-mail pat@example.com is not in the Casebridge directory; ask an admin to add it.",
    );
  });

  it('other kinds', () => {
    expect(renderRefusal({ kind: 'managerOnly' }, 'en')).toBe(
      "Only the subject's manager can acknowledge this notice.",
    );
    expect(renderRefusal({ kind: 'notPossible', state: 'closed' }, 'en')).toBe(
      'This is not possible while the case is in Closed.',
    );
    expect(renderRefusal({ kind: 'caseNotFound', caseKey: 'CB-0042' }, 'en')).toBe(
      'Case CB-0042 was not found.',
    );
    expect(renderRefusal({ kind: 'noEmail', platform: 'teams' }, 'en')).toContain(
      'Microsoft Teams',
    );
    expect(renderRefusal({ kind: 'separationOfDuties' }, 'en')).toMatch(/^Separation of duties/);
    expect(renderRefusal({ kind: 'failed' }, 'en')).toMatch(/try again/);
  });
});

describe('rolesFor', () => {
  it('derives roles from the policy', () => {
    expect(rolesFor('ESCALATE')).toEqual(['security']);
    expect(rolesFor('CHOOSE_RESPONSE')).toEqual(['hr']);
    expect(rolesFor('LEGAL_HOLD')).toEqual(['legal']);
    expect(rolesFor('REOPEN')).toEqual(['security', 'hr']);
    expect(rolesFor('ACKNOWLEDGE')).toEqual([]);
  });
});

describe('refusalForError', () => {
  it('maps an already decided case', () => {
    const error = new CasebridgeError('ALREADY_DECIDED', 'decided', {
      details: {
        case: 'CB-0042',
        state: 'hr_review',
        lastDecision: {
          type: 'ESCALATE',
          actor: 'ann.analyst@example.com',
          at: '2025-03-04T10:00:00.000Z',
        },
      },
    });

    expect(refusalForError(error)).toEqual({
      kind: 'alreadyDecided',
      event: 'ESCALATE',
      actor: 'ann.analyst@example.com',
      at: '2025-03-04T10:00:00.000Z',
    });
  });

  it('maps state and lookup errors', () => {
    const notAllowed = new CasebridgeError('TRANSITION_NOT_ALLOWED', 'x', {
      details: { case: 'CB-0042', state: 'closed', event: 'ESCALATE' },
    });
    const notFound = new CasebridgeError('CASE_NOT_FOUND', 'x', { details: { case: 'CB-0042' } });

    expect(refusalForError(notAllowed)).toEqual({ kind: 'notPossible', state: 'closed' });
    expect(refusalForError(notFound)).toEqual({ kind: 'caseNotFound', caseKey: 'CB-0042' });
    expect(refusalForError(new CasebridgeError('DATABASE_UNAVAILABLE', 'x'))).toEqual({
      kind: 'failed',
    });
  });

  it('leaves authorization to the caller', () => {
    expect(refusalForError(new CasebridgeError('NOT_AUTHORIZED', 'x'))).toBeNull();
    expect(refusalForError(new CasebridgeError('ALREADY_DECIDED', 'x'))).toBeNull();
  });
});
