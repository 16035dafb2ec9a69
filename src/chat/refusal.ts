import type { CaseEventType, CaseState, Role } from '../../workflows/case-events.ts';
import { caseEventTypes, caseStates } from '../../workflows/case-events.ts';
import type { CasebridgeError } from '../errors.ts';
import { formatTime, type Locale, t } from './messages/index.ts';
import { decidedLabel, roleLabel, stateLabel } from './messages/labels.ts';
import type { ChatPlatform } from './port.ts';

/** The reason a click was not carried out, shown in private to the person who clicked. */
export type Refusal =
  | { kind: 'alreadyDecided'; event: CaseEventType; actor: string; at: string }
  | { kind: 'roleRequired'; roles: Role[] }
  | { kind: 'managerOnly' }
  | { kind: 'separationOfDuties' }
  | { kind: 'notPossible'; state: CaseState }
  | { kind: 'unknownEmail'; platform: ChatPlatform; email: string }
  | { kind: 'noEmail'; platform: ChatPlatform }
  | { kind: 'caseNotFound'; caseKey: string }
  | { kind: 'failed' };

const platformNames: Record<ChatPlatform, string> = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  console: 'Casebridge console',
};

/** Renders a refusal as the private reply to the person who clicked. */
export function renderRefusal(refusal: Refusal, locale: Locale): string {
  switch (refusal.kind) {
    case 'alreadyDecided':
      return t(locale, 'refusal.alreadyDecided', {
        action: decidedLabel(locale, refusal.event),
        actor: refusal.actor,
        time: formatTime(refusal.at),
      });
    case 'roleRequired': {
      const role = refusal.roles
        .map((name) => roleLabel(locale, name))
        .join(t(locale, 'role.separator'));
      return t(locale, 'refusal.roleRequired', { role });
    }
    case 'managerOnly':
      return t(locale, 'refusal.managerOnly');
    case 'separationOfDuties':
      return t(locale, 'refusal.separationOfDuties');
    case 'notPossible':
      return t(locale, 'refusal.notPossible', { state: stateLabel(locale, refusal.state) });
    case 'unknownEmail':
      return t(locale, 'refusal.unknownEmail', {
        platform: platformNames[refusal.platform],
        email: refusal.email,
      });
    case 'noEmail':
      return t(locale, 'refusal.noEmail', { platform: platformNames[refusal.platform] });
    case 'caseNotFound':
      return t(locale, 'refusal.caseNotFound', { key: refusal.caseKey });
    case 'failed':
      return t(locale, 'refusal.failed');
  }
}

/**
 * Maps the errors of `actOnCase` whose details suffice to a refusal: ALREADY_DECIDED (the last
 * decision), TRANSITION_NOT_ALLOWED when the details name the state, CASE_NOT_FOUND and
 * DATABASE_UNAVAILABLE. Returns null for the others (NOT_AUTHORIZED needs to know whether a role
 * or separation of duties was missing, which only the caller knows).
 */
export function refusalForError(error: CasebridgeError): Refusal | null {
  const details = error.details;
  switch (error.code) {
    case 'ALREADY_DECIDED': {
      const last = details.lastDecision as { type?: unknown; actor?: unknown; at?: unknown } | null;
      const type = last?.type;
      if (
        typeof type === 'string' &&
        (caseEventTypes as readonly string[]).includes(type) &&
        typeof last?.actor === 'string' &&
        typeof last.at === 'string'
      ) {
        return {
          kind: 'alreadyDecided',
          event: type as CaseEventType,
          actor: last.actor,
          at: last.at,
        };
      }
      return isState(details.state) ? { kind: 'notPossible', state: details.state } : null;
    }
    case 'TRANSITION_NOT_ALLOWED':
      return isState(details.state) ? { kind: 'notPossible', state: details.state } : null;
    case 'CASE_NOT_FOUND':
      return typeof details.case === 'string'
        ? { kind: 'caseNotFound', caseKey: details.case }
        : null;
    case 'DATABASE_UNAVAILABLE':
      return { kind: 'failed' };
    default:
      return null;
  }
}

function isState(value: unknown): value is CaseState {
  return typeof value === 'string' && (caseStates as readonly string[]).includes(value);
}
