import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import { type Actor, type CaseEvent, caseEventSchema } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { CasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import { findPersonByEmail, findRoles } from '../people/find-person.ts';
import { asDatabaseUnavailable, type Db } from '../store/db.ts';
import { applyCaseEvent, recordRefusal } from './apply-case-event.ts';
import { type CaseRow, loadCase } from './load-case.ts';

export interface ActOnCaseDeps {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Writes the chat messages of each accepted change; none without a chat platform. */
  notifier?: CaseNotifier;
  /** The business calendar SLA due times are counted in; the default calendar when absent. */
  calendar?: BusinessCalendar;
  /** Called after each accepted or refused attempt; the server counts them for /metrics. */
  onTransition?: (event: string, outcome: 'accepted' | 'rejected') => void;
}

export interface ActOnCaseInput {
  /** Case key (`CB-0042`) or id. */
  caseRef: string;
  /** E-mail of the person acting; their roles come from the directory. */
  actorEmail: string;
  /** The event without actor and time, e.g. `{ type: 'ESCALATE', summary: '…' }`. */
  event: Record<string, unknown> & { type: string };
  /**
   * The state the person saw when they decided (a chat card's state). When the case has moved on
   * since, the attempt is refused as already decided. Defaults to the state loaded now.
   */
  expectedState?: string;
}

/** How many times an attempt is recomputed when another writer changed the case in between. */
const MAX_ATTEMPTS = 4;

/**
 * Applies a person's decision to a case with the same rules for every edge (CLI, HTTP, chat).
 * Refused attempts are audited and then thrown as CasebridgeError. When two people act at once,
 * exactly one decision wins; the other is refused as ALREADY_DECIDED unless it is still valid in
 * the unchanged state (a second Legal approval, a note), in which case it is applied after the first.
 */
export async function actOnCase(deps: ActOnCaseDeps, input: ActOnCaseInput): Promise<CaseRow> {
  const now = deps.now ?? (() => new Date());
  const actorEmail = input.actorEmail.trim().toLowerCase();

  try {
    const actor: Actor = {
      kind: 'person',
      email: actorEmail,
      roles: await findRoles(deps.db, actorEmail),
    };
    const event = parseEvent({ ...input.event, actor, at: now().toISOString() });
    if (event.type === 'ASSIGN') await checkAssignee(deps.db, event.assignee);
    let expectedState = input.expectedState;

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await loadCase(deps.db, input.caseRef);
      expectedState ??= current.state;
      const log = deps.logger.child({
        caseId: current.id,
        event: event.type,
        actorRoles: actor.roles,
      });

      if (current.state !== expectedState) {
        const error = alreadyDecided(current, expectedState);
        await deps.db.transaction((tx) => recordRefusal(tx, current, event, error));
        deps.onTransition?.(event.type, 'rejected');
        log.info({ code: error.code }, 'case event rejected');
        throw error;
      }

      const result = await deps.db.transaction((tx) =>
        applyCaseEvent(tx, current, event, deps.notifier, deps.calendar),
      );
      if (result.status === 'applied') {
        deps.onTransition?.(event.type, 'accepted');
        log.info({ from: result.fromState, to: result.toState }, 'case transition');
        return result.caseRow;
      }
      if (result.status === 'refused') {
        deps.onTransition?.(event.type, 'rejected');
        log.info({ code: result.error.code }, 'case event rejected');
        throw result.error;
      }
      log.debug({ attempt }, 'case changed concurrently; recomputing');
    }
    throw new Error(`case ${input.caseRef} kept changing during ${MAX_ATTEMPTS} attempts`);
  } catch (error) {
    throw asDatabaseUnavailable(error);
  }
}

function parseEvent(candidate: Record<string, unknown>): CaseEvent {
  const result = caseEventSchema.safeParse(candidate);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
  throw new CasebridgeError(
    'EVENT_INVALID',
    `Invalid ${String(candidate.type)} event: ${problems}.`,
    {
      userMessage: `Invalid ${String(candidate.type)} event: ${problems}.`,
      details: { event: candidate.type },
    },
  );
}

function alreadyDecided(current: CaseRow, expectedState: string): CasebridgeError {
  const context = (current.snapshot as { context: CaseContext }).context;
  const last = context.lastDecision;
  const by = last === null ? 'someone else' : `${last.actor} (${last.type} at ${last.at})`;
  const message = `Case ${current.key} was already decided by ${by}; it moved from ${expectedState} to ${current.state}.`;
  return new CasebridgeError('ALREADY_DECIDED', message, {
    userMessage: message,
    details: { case: current.key, state: current.state, lastDecision: last },
  });
}

/** Checks that an assignee is a person of the directory with the security role. */
async function checkAssignee(db: Db, assignee: string): Promise<void> {
  if ((await findPersonByEmail(db, assignee)) === null) {
    throw new CasebridgeError(
      'PERSON_NOT_FOUND',
      `${assignee} is not in the directory; assign the case to a security analyst.`,
      {
        details: { person: assignee },
      },
    );
  }
  if (!(await findRoles(db, assignee)).includes('security')) {
    throw new CasebridgeError(
      'EVENT_INVALID',
      `${assignee} does not hold the security role; assign the case to a security analyst.`,
      {
        details: { person: assignee },
      },
    );
  }
}
