import type { CaseState } from '../../workflows/case-events.ts';
import type { Audience } from '../chat/actions.ts';

/**
 * The audiences that follow a case in each state. An audience's thread opens when the case first
 * reaches a state it follows and then receives every later update; the manager follows only the
 * notice they must acknowledge.
 */
const audiencesByState: Record<CaseState, readonly Audience[]> = {
  triage: ['security'],
  hr_review: ['security', 'hr'],
  conversation: ['security', 'hr'],
  manager_notice: ['security', 'hr', 'manager'],
  follow_up: ['security', 'hr'],
  legal_review: ['security', 'hr', 'legal'],
  action: ['security', 'hr', 'legal'],
  closed: ['security'],
};

export function threadAudiences(state: CaseState): readonly Audience[] {
  return audiencesByState[state];
}
