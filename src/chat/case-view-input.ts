import type { CaseContext, CaseState } from '../../workflows/case-events.ts';
import type { StoredWatchReason } from '../intake/watch-reason.ts';
import type { SignalSummary } from './evidence.ts';
import type { CaseViewInput } from './view-model.ts';

/** The sources of a view beyond the machine's context: the case row and the subject's directory entry. */
export interface CaseViewSources {
  id: string;
  key: string;
  version: number;
  state: CaseState;
  context: CaseContext;
  pseudonym: string;
  /** The subject's display name from the directory, or null when it has none. */
  subjectName: string | null;
  signals: SignalSummary[];
  watchReason?: StoredWatchReason | null;
}

/** Assembles the view input of a case from its stored row, context, directory entry and signals. */
export function caseViewInputFrom(sources: CaseViewSources): CaseViewInput {
  const { context } = sources;
  return {
    id: sources.id,
    key: sources.key,
    version: sources.version,
    state: sources.state,
    priority: context.priority,
    openedAt: context.openedAt,
    subject: {
      pseudonym: sources.pseudonym,
      name: sources.subjectName,
      email: context.subject.email,
      resolved: context.subject.resolved,
      managerKnown: context.subject.managerEmail !== null,
    },
    assignee: context.assignee,
    escalationSummary: context.escalationSummary,
    hrResponse: context.hrResponse,
    proposedAction: context.proposedAction,
    approvals: context.approvals,
    outcome: context.outcome,
    legalHold: context.legalHold,
    reminders: context.reminders,
    signals: sources.signals,
    watchReason: sources.watchReason ?? null,
  };
}
