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

type Flag = '--reason' | '--response' | '--outcome' | '--action' | '--assignee';

/** The flags each event a person can send needs on the command line, and what `--reason` means for it. */
const personEvents: Record<string, { required: Flag[]; reasonIs?: string }> = {
  ASSIGN: { required: ['--assignee'] },
  NOTE: { required: ['--reason'], reasonIs: 'the note' },
  DISMISS: { required: ['--outcome', '--reason'] },
  ESCALATE: { required: ['--reason'], reasonIs: 'the summary for HR' },
  CHOOSE_RESPONSE: { required: ['--response'] },
  RETURN_TO_SECURITY: { required: ['--reason'], reasonIs: 'the question for security' },
  RECORD_CONVERSATION: { required: ['--reason'], reasonIs: 'the notes of the conversation' },
  ACKNOWLEDGE: { required: [] },
  CLOSE: { required: ['--outcome'] },
  APPROVE: { required: [] },
  REJECT: { required: ['--reason'] },
  RECORD_ACTION: { required: ['--reason'], reasonIs: 'what was done' },
  REOPEN: { required: ['--reason'] },
  LEGAL_HOLD: { required: ['--reason'] },
};

/** Events only Casebridge itself sends: intake and the SLA scheduler. */
const systemEvents = caseEventTypes.filter((type) => !(type in personEvents));

const flagValue = (options: ActOptions, flag: Flag): string | undefined =>
  options[flag.slice(2) as 'reason' | 'response' | 'outcome' | 'action' | 'assignee'];

/**
 * Builds a case event from the options of `cases act`, after checking that the event is one a
 * person can send and that its flags are present. `--reason` fills whichever text field the event
 * has (summary, question, notes, note text, reason); the event schema then checks the values.
 */
export function eventFromOptions(
  type: string,
  options: ActOptions,
): Record<string, unknown> & { type: string } {
  const upper = type.toUpperCase();
  const spec = personEvents[upper];
  if (spec === undefined) {
    if (systemEvents.includes(upper as (typeof systemEvents)[number])) {
      throw usageError(
        `${upper} is sent by Casebridge itself, not by people; use one of ${Object.keys(personEvents).join(', ')}.`,
      );
    }
    throw usageError(
      `Unknown event "${type}"; use one of ${Object.keys(personEvents).join(', ')}.`,
    );
  }

  const required = [...spec.required];
  if (upper === 'CHOOSE_RESPONSE' && options.response === 'serious_action')
    required.push('--action');
  const missing = required.filter((flag) => flagValue(options, flag) === undefined);
  if (missing.length > 0) {
    const what =
      spec.reasonIs !== undefined && missing.includes('--reason')
        ? ` (--reason is ${spec.reasonIs})`
        : '';
    throw usageError(
      `${upper} needs ${missing.join(' and ')}${what}; see "casebridge cases act --help".`,
    );
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
