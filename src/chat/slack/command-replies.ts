import type { types } from '@slack/bolt';
import type { Role } from '../../../workflows/case-events.ts';
import { listPendingCases, pendingStatesByRole } from '../../cases/pending-cases.ts';
import { isCasebridgeError } from '../../errors.ts';
import { threadAudiences } from '../../outbox/thread-audiences.ts';
import type { Audience } from '../actions.ts';
import type { ChatPerson } from '../identity.ts';
import { loadCaseViewInput } from '../load-case-view.ts';
import { stateLabel } from '../messages/labels.ts';
import { refusalForError, renderRefusal } from '../refusal.ts';
import { buildCaseView, type CaseViewInput } from '../view-model.ts';
import { actAsPerson } from './act-as-person.ts';
import { renderCaseMessage, renderTextMessage } from './blocks.ts';
import type { SlackListenerDeps } from './deps.ts';
import { slackText } from './messages.ts';
import { pendingSummary, renderPendingBlocks } from './pending-view.ts';

/** The reply to a `/case` command, sent as an ephemeral message. Its text is escaped mrkdwn. */
export interface CommandReply {
  text: string;
  blocks?: types.KnownBlock[];
}

/**
 * Chooses the audience whose view a person gets: among their roles that follow the case in its
 * state, the one that decides in that state, else the first. Returns null when none follows it.
 */
function viewerAudience(input: CaseViewInput, roles: readonly Role[]): Audience | null {
  const following = threadAudiences(input.state).filter(
    (audience): audience is Role => audience !== 'manager' && roles.includes(audience),
  );
  const deciding = following.find((role) => pendingStatesByRole[role].includes(input.state));
  return deciding ?? following[0] ?? null;
}

/**
 * Runs `/case show <case>`: returns the case as the person's role sees it. People without a role
 * see no case, and the subject of a case is told it was not found, as anyone would be for a key
 * that does not exist.
 */
export async function runShowCommand(
  deps: SlackListenerDeps,
  person: ChatPerson,
  caseRef: string,
): Promise<CommandReply> {
  const { locale } = person;
  if (person.roles.length === 0) return renderTextMessage(slackText(locale, 'command.noRole'));

  let input: CaseViewInput;
  try {
    input = await loadCaseViewInput(deps.db, deps.pseudonymKey, caseRef);
  } catch (error) {
    const refusal = isCasebridgeError(error) ? refusalForError(error) : null;
    if (refusal?.kind !== 'caseNotFound') throw error;
    return renderTextMessage(renderRefusal(refusal, locale));
  }
  if (input.subject.email !== null && input.subject.email === person.email) {
    return renderTextMessage(renderRefusal({ kind: 'caseNotFound', caseKey: caseRef }, locale));
  }

  const audience = viewerAudience(input, person.roles);
  if (audience === null) {
    const state = stateLabel(locale, input.state);
    return renderTextMessage(slackText(locale, 'command.notShared', { key: input.key, state }));
  }
  return renderCaseMessage(buildCaseView(input, audience, locale));
}

/** Runs `/case mine`: lists the cases waiting for the person's decision. */
export async function runMineCommand(
  deps: SlackListenerDeps,
  person: ChatPerson,
): Promise<CommandReply> {
  const pending = await listPendingCases(deps.db, person);
  return {
    text: pendingSummary(pending, person.locale),
    blocks: renderPendingBlocks(pending, person.locale),
  };
}

/** Runs `/case note <case> <text>`: sends the NOTE event and confirms it, or explains the refusal. */
export async function runNoteCommand(
  deps: SlackListenerDeps,
  person: ChatPerson,
  note: { caseRef: string; text: string },
): Promise<CommandReply> {
  const outcome = await actAsPerson(deps, person, {
    caseRef: note.caseRef,
    event: { type: 'NOTE', text: note.text },
  });
  if (!outcome.ok) return renderTextMessage(outcome.text);
  return renderTextMessage(slackText(person.locale, 'command.noteAdded', { key: outcome.caseKey }));
}
