import type { CaseEvent, CaseInput } from '../../workflows/case-events.ts';
import type { CaseSnapshot } from '../../workflows/case-machine.ts';
import { actors, events } from './case-builders.ts';

const { ann, sam, hana, leo, lia, maria } = actors;

/**
 * Events that drive the traversal: one per kind of transition, from the people who normally send
 * them. Events that keep the state, and the refusals, are left to the probes of case-paths.test.ts, because as
 * traversal edges they only multiply paths.
 */
export const drivingEvents: CaseEvent[] = [
  events.escalate(ann),
  events.escalate(sam),
  events.dismiss(ann),
  events.returnToSecurity(hana),
  events.chooseResponse(hana, 'corrective_conversation'),
  events.chooseResponse(hana, 'involve_manager'),
  events.chooseResponse(hana, 'serious_action', 'written_warning'),
  events.chooseResponse(hana, 'serious_action', 'termination'),
  events.recordConversation(hana),
  events.acknowledge(maria),
  events.close(hana),
  events.approve(leo),
  events.approve(lia),
  events.reject(leo),
  events.recordAction(hana),
  events.reopen(ann),
];

/**
 * Identifies a traversal vertex by the state and the context the policy reads: escalators, the
 * proposed action and the approvers (the subject is fixed per input). Times, notes, SLA records,
 * priority and reopenCount are left out, so every cycle ends.
 */
export function vertexKey(snapshot: CaseSnapshot): string {
  const { context } = snapshot;
  return JSON.stringify([
    snapshot.value,
    [...context.escalators].sort(),
    context.proposedAction,
    context.approvals.map((approval) => approval.email).sort(),
  ]);
}

/** The options of xstate/graph's path functions that walk the case machine from `input`. */
export const traversal = (input: CaseInput) => ({
  input,
  events: drivingEvents,
  serializeState: vertexKey,
  serializeEvent: (event: CaseEvent) => JSON.stringify(event),
});
