import type {
  CaseEventType,
  CaseOutcome,
  CaseState,
  HrResponse,
  Priority,
  Role,
  SeriousAction,
} from '../../../workflows/case-events.ts';
import type { Severity } from '../../feeds/signal.ts';
import { type Locale, t } from './index.ts';

export function stateLabel(locale: Locale, state: CaseState): string {
  return t(locale, `state.${state}`);
}

export function priorityLabel(locale: Locale, priority: Priority): string {
  return t(locale, `priority.${priority}`);
}

export function severityLabel(locale: Locale, severity: Severity): string {
  return t(locale, `severity.${severity}`);
}

export function roleLabel(locale: Locale, role: Role): string {
  return t(locale, `role.${role}`);
}

export function outcomeLabel(locale: Locale, outcome: CaseOutcome): string {
  return t(locale, `outcome.${outcome}`);
}

export function responseLabel(locale: Locale, response: HrResponse): string {
  return t(locale, `response.${response}`);
}

export function seriousActionLabel(locale: Locale, action: SeriousAction): string {
  return t(locale, `seriousAction.${action}`);
}

/** Returns the past participle of an event, as in "Already escalated to HR by …". */
export function decidedLabel(locale: Locale, type: CaseEventType): string {
  return t(locale, `decided.${type}`);
}
