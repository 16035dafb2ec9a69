import type { IAdaptiveCard } from '@microsoft/teams.cards';
import type { Role } from '../../../workflows/case-events.ts';
import {
  listPendingCases,
  type PendingCase,
  pendingStatesByRole,
} from '../../cases/pending-cases.ts';
import { describeError } from '../../describe-error.ts';
import { isCasebridgeError } from '../../errors.ts';
import { threadAudiences } from '../../outbox/thread-audiences.ts';
import type { Audience } from '../actions.ts';
import type { ChatPerson } from '../identity.ts';
import { loadCaseViewInput } from '../load-case-view.ts';
import { formatTime, type Locale, t } from '../messages/index.ts';
import { priorityLabel, stateLabel } from '../messages/labels.ts';
import { refusalForError, renderRefusal } from '../refusal.ts';
import { failureText, refusalText } from '../refusal-text.ts';
import { buildCaseView, type CaseViewInput } from '../view-model.ts';
import { renderCaseCard } from './cards.ts';
import type { TeamsListenerDeps } from './deps.ts';
import { teamsText } from './messages.ts';

/** The reply to a bot command: Teams markdown, and for `show` the case card. */
export interface TeamsCommandReply {
  text: string;
  card?: IAdaptiveCard;
}

/** Returns a reply of text only. */
export function textReply(text: string): TeamsCommandReply {
  return { text };
}

/**
 * Chooses the audience whose view a person gets: among their roles that follow the case in its
 * state, the one that decides in that state, else the first. Returns null when none follows it.
 * The rule is the one of Slack's `/case show`.
 */
function viewerAudience(input: CaseViewInput, roles: readonly Role[]): Audience | null {
  const following = threadAudiences(input.state).filter(
    (audience): audience is Role => audience !== 'manager' && roles.includes(audience),
  );
  const deciding = following.find((role) => pendingStatesByRole[role].includes(input.state));
  return deciding ?? following[0] ?? null;
}

/**
 * Runs `show <case>`: returns the case card as the person's role sees it. People without a role
 * see no case, and the subject of a case is told it was not found, as anyone would be for a key
 * that does not exist.
 *
 * The card is posted without actions and with a refresh for the requester alone, so their client
 * fetches their own view with the buttons their roles allow, while other members of a channel
 * see the read-only card.
 */
export async function runShowCommand(
  deps: TeamsListenerDeps,
  person: ChatPerson,
  request: { caseRef: string; teamsUserId: string },
): Promise<TeamsCommandReply> {
  const { locale } = person;
  if (person.roles.length === 0) return textReply(teamsText(locale, 'command.noRole'));

  let input: CaseViewInput;
  try {
    input = await loadCaseViewInput(deps.db, deps.pseudonymKey, request.caseRef);
  } catch (error) {
    const refusal = isCasebridgeError(error) ? refusalForError(error) : null;
    if (refusal?.kind !== 'caseNotFound') throw error;
    return textReply(renderRefusal(refusal, locale));
  }
  if (input.subject.email !== null && input.subject.email === person.email) {
    const refusal = { kind: 'caseNotFound', caseKey: request.caseRef } as const;
    return textReply(renderRefusal(refusal, locale));
  }

  const audience = viewerAudience(input, person.roles);
  if (audience === null) {
    const state = stateLabel(locale, input.state);
    return textReply(teamsText(locale, 'command.notShared', { key: input.key, state }));
  }
  const view = buildCaseView(input, audience, locale);
  const card = renderCaseCard(view, {
    readOnly: true,
    refreshUserIds: [request.teamsUserId],
    locale,
  });
  return { text: view.summary, card };
}

/** Runs `mine`: lists the cases waiting for the person's decision, oldest first. */
export async function runMineCommand(
  deps: TeamsListenerDeps,
  person: ChatPerson,
): Promise<TeamsCommandReply> {
  const pending = await listPendingCases(deps.db, person);
  return textReply(renderPendingText(pending, person.locale));
}

/** Runs `note <case> <text>`: sends the NOTE event and confirms it, or explains the refusal. */
export async function runNoteCommand(
  deps: TeamsListenerDeps,
  person: ChatPerson,
  note: { caseRef: string; text: string },
): Promise<TeamsCommandReply> {
  try {
    const changed = await deps.act({
      caseRef: note.caseRef,
      actorEmail: person.email,
      event: { type: 'NOTE', text: note.text },
    });
    return textReply(teamsText(person.locale, 'command.noteAdded', { key: changed.key }));
  } catch (error) {
    const text = refusalText(error, { event: 'NOTE', roles: person.roles }, person.locale);
    if (text !== null) return textReply(text);

    deps.logger.error(
      { err: describeError(error), event: 'NOTE', platform: 'teams' },
      'teams note failed',
    );
    return textReply(failureText(person.locale));
  }
}

/**
 * Renders the cases waiting for a person as Teams markdown: a heading, one list item per case,
 * and a count of the rest.
 * NOTE: values are not escaped, so a `*` or `_` in a subject's name can change the formatting.
 */
export function renderPendingText(
  pending: { cases: PendingCase[]; total: number },
  locale: Locale,
): string {
  if (pending.total === 0) return teamsText(locale, 'pending.none');

  const heading =
    pending.total === 1
      ? teamsText(locale, 'pending.headingOne')
      : teamsText(locale, 'pending.heading', { count: pending.total });
  const lines = [
    `**${heading}**`,
    ...pending.cases.map((item) => `- ${pendingLine(item, locale)}`),
  ];
  const more = pending.total - pending.cases.length;
  if (more > 0) lines.push(teamsText(locale, 'pending.more', { count: more }));
  return lines.join('\n');
}

function pendingLine(item: PendingCase, locale: Locale): string {
  if (item.asManager) {
    const name = item.subjectName ?? t(locale, 'subject.unknown');
    const headline = t(locale, 'manager.headline', { name });
    return teamsText(locale, 'pending.managerItem', { key: item.key, headline });
  }
  return teamsText(locale, 'pending.item', {
    key: item.key,
    state: stateLabel(locale, item.state),
    priority: priorityLabel(locale, item.priority),
    openedAt: formatTime(item.openedAt.toISOString()),
  });
}
