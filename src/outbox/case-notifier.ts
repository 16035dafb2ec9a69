import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import type { Executor } from '../store/db.ts';

/** One accepted change of a case, as the chat threads announce it. */
export interface CaseChange {
  caseId: string;
  /** Null when the change opened the case. */
  fromState: CaseState | null;
  toState: CaseState;
  /** Null when the change opened the case. */
  event: CaseEvent | null;
  before: CaseContext | null;
  after: CaseContext;
}

/**
 * Writes the chat messages that announce case changes, in the transaction of the changes, so
 * that a message is never lost or sent for a change that rolled back.
 */
export interface CaseNotifier {
  enqueue(tx: Executor, changes: CaseChange[]): Promise<void>;
}
