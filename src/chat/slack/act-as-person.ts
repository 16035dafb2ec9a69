import type { CaseEventType } from '../../../workflows/case-events.ts';
import { describeError } from '../../describe-error.ts';
import type { EventBody } from '../forms.ts';
import type { ChatPerson } from '../identity.ts';
import { failureText, refusalText } from '../refusal-text.ts';
import type { SlackListenerDeps } from './deps.ts';

export type ActOutcome = { ok: true; caseKey: string } | { ok: false; text: string };

/**
 * Sends a person's event to the case and, when it is refused or fails, returns the text that
 * explains why. The case card itself is updated through the outbox, not here.
 */
export async function actAsPerson(
  deps: SlackListenerDeps,
  person: ChatPerson,
  attempt: {
    caseRef: string;
    event: EventBody | { type: 'NOTE'; text: string };
    expectedState?: string;
  },
): Promise<ActOutcome> {
  const type = attempt.event.type as CaseEventType;
  try {
    const changed = await deps.act({
      caseRef: attempt.caseRef,
      actorEmail: person.email,
      event: attempt.event,
      ...(attempt.expectedState === undefined ? {} : { expectedState: attempt.expectedState }),
    });
    return { ok: true, caseKey: changed.key };
  } catch (error) {
    const text = refusalText(error, { event: type, roles: person.roles }, person.locale);
    if (text !== null) return { ok: false, text };

    deps.logger.error(
      { err: describeError(error), event: type, platform: 'slack' },
      'slack action failed',
    );
    return { ok: false, text: failureText(person.locale) };
  }
}
