import { caseEventTypes } from '../../workflows/case-events.ts';
import { usageError } from './output.ts';

export interface ActOptions {
  reason?: string;
  response?: string;
  outcome?: string;
  action?: string;
  assignee?: string;
  release?: boolean;
}

/**
 * Builds a case event from the options of `cases act`. `--reason` fills whichever text field the
 * event has (summary, question, notes, note text, reason); the event schema then checks it.
 */
export function eventFromOptions(
  type: string,
  options: ActOptions,
): Record<string, unknown> & { type: string } {
  const upper = type.toUpperCase();
  if (!caseEventTypes.includes(upper as (typeof caseEventTypes)[number])) {
    throw usageError(`Unknown event "${type}"; use one of ${caseEventTypes.join(', ')}.`);
  }
  const event: Record<string, unknown> & { type: string } = { type: upper };
  const reason = options.reason;

  switch (upper) {
    case 'NOTE':
      event.text = reason;
      break;
    case 'ESCALATE':
      event.summary = reason;
      break;
    case 'RETURN_TO_SECURITY':
      event.question = reason;
      break;
    case 'RECORD_CONVERSATION':
    case 'RECORD_ACTION':
      event.notes = reason;
      break;
    case 'ASSIGN':
      event.assignee = options.assignee;
      break;
    case 'LEGAL_HOLD':
      event.hold = options.release !== true;
      event.reason = reason;
      break;
    case 'CHOOSE_RESPONSE':
      event.response = options.response;
      if (options.action !== undefined) event.proposedAction = options.action;
      if (reason !== undefined) event.reason = reason;
      break;
    default:
      if (reason !== undefined) event.reason = reason;
  }
  if (options.outcome !== undefined) event.outcome = options.outcome;
  return event;
}
