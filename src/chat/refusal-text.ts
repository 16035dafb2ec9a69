import { type CaseEventType, type Role, roles } from '../../workflows/case-events.ts';
import { isCasebridgeError } from '../errors.ts';
import { isButtonEventType } from './action-payload.ts';
import { rolesFor } from './actions.ts';
import type { ChatIdentity } from './identity.ts';
import type { Locale } from './messages/index.ts';
import { type Refusal, refusalForError, renderRefusal } from './refusal.ts';

/** Returns the roles that may send an event in some state; NOTE is open to every role. */
function rolesAllowedFor(event: CaseEventType): readonly Role[] {
  return isButtonEventType(event) ? rolesFor(event) : roles;
}

/**
 * Explains NOT_AUTHORIZED. Only the subject's manager may send ACKNOWLEDGE. A person without any of
 * the event's roles lacks the role. A person with one was rejected by separation of duties, because
 * they escalated the case, approved it before, or manage or are its subject.
 */
function notAuthorizedRefusal(event: CaseEventType, actorRoles: readonly Role[]): Refusal {
  if (event === 'ACKNOWLEDGE') return { kind: 'managerOnly' };
  const allowed = rolesAllowedFor(event);
  if (allowed.some((role) => actorRoles.includes(role))) return { kind: 'separationOfDuties' };
  return { kind: 'roleRequired', roles: [...allowed] };
}

/**
 * Words the refusal of a person's attempt for them. Returns null for an error that is not a
 * CasebridgeError, which the caller logs before it shows the generic failure.
 */
export function refusalText(
  error: unknown,
  attempt: { event: CaseEventType; roles: readonly Role[] },
  locale: Locale,
): string | null {
  if (!isCasebridgeError(error)) return null;

  const mapped = refusalForError(error);
  if (mapped !== null) return renderRefusal(mapped, locale);
  if (error.code === 'NOT_AUTHORIZED') {
    return renderRefusal(notAuthorizedRefusal(attempt.event, attempt.roles), locale);
  }
  // EVENT_INVALID and the rarer refusals carry a sentence written for people.
  return error.userMessage;
}

/** Words why a chat user who is not a directory person cannot act. */
export function identityRefusalText(
  identity: Exclude<ChatIdentity, { kind: 'person' }>,
  locale: Locale,
): string {
  if (identity.kind === 'noEmail')
    return renderRefusal({ kind: 'noEmail', platform: 'slack' }, locale);
  return renderRefusal({ kind: 'unknownEmail', platform: 'slack', email: identity.email }, locale);
}

/** Returns the reply when something unexpected failed, which asks the person to try again. */
export function failureText(locale: Locale): string {
  return renderRefusal({ kind: 'failed' }, locale);
}
