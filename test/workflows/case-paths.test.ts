import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import {
  type CaseEvent,
  type CaseInput,
  type CaseState,
  caseEventTypes,
  caseStates,
} from '../../workflows/case-events.ts';
import { type CaseSnapshot, caseMachine } from '../../workflows/case-machine.ts';
import { checkEvent } from '../../workflows/policy.ts';
import { actors, events, makeInput, makeUnresolvedInput, subjectEmail } from './case-builders.ts';
import { traversal, vertexKey } from './case-traversal.ts';

const { ann, sam, hana, leo, lia, maria, mariaLawyer, dana, intake, scheduler, retention, hrSync } =
  actors;

/** Lists the sample events tried at each vertex, against both the policy and the machine. */
function probeEvents(state: CaseState): CaseEvent[] {
  const people = [ann, sam, hana, leo, lia, maria, mariaLawyer, dana];
  const perPerson = people.flatMap((actor) => [
    events.assign(actor),
    events.note(actor),
    events.dismiss(actor),
    events.escalate(actor),
    events.chooseResponse(actor, 'corrective_conversation'),
    events.chooseResponse(actor, 'serious_action', 'termination'),
    events.returnToSecurity(actor),
    events.recordConversation(actor),
    events.acknowledge(actor),
    events.close(actor),
    events.approve(actor),
    events.reject(actor),
    events.recordAction(actor),
    events.reopen(actor),
    events.legalHold(actor, false),
    events.signalAdded(actor),
    events.slaRemind(actor, state),
  ]);
  return [
    ...perPerson,
    events.chooseResponse(hana, 'involve_manager'),
    events.chooseResponse(hana, 'serious_action'),
    events.chooseResponse(hana, 'corrective_conversation', 'written_warning'),
    events.assign(ann, subjectEmail),
    events.note(intake),
    events.reopen(intake),
    events.reopen(scheduler),
    events.signalAdded(intake, 'high'),
    events.signalAdded(scheduler),
    events.slaRemind(scheduler, state),
    events.slaEscalate(scheduler, state),
    events.slaRemind(scheduler, state === 'triage' ? 'hr_review' : 'triage'),
    events.slaEscalate(intake, state),
    events.anonymise(retention),
    events.anonymise(scheduler),
    events.departure(hrSync),
    events.departure(intake),
    events.managerChanged(hrSync, 'olivia.park@example.com'),
    events.managerChanged(hrSync, subjectEmail),
    events.managerChanged(hrSync),
  ];
}

const fourEyes = new Set(['termination', 'law_enforcement_referral']);
const closedEvents = new Set(['REOPEN', 'NOTE', 'LEGAL_HOLD', 'ANONYMISE']);

/** One transition along a path: the snapshot before, the event and the snapshot after. */
type Move = { from: CaseSnapshot; event: CaseEvent; to: CaseSnapshot };

/** Turns a path of xstate/graph, whose first step is the `xstate.init` pseudo-event, into moves. */
function movesOf(path: StatePath<CaseSnapshot, CaseEvent>): Move[] {
  return path.steps.slice(1).map((step, index) => ({
    from: path.steps[index]!.state,
    event: step.event,
    to: step.state,
  }));
}

/** Returns the next snapshot, or null when the machine refuses: a refusal returns the same object. */
function machineNext(snapshot: CaseSnapshot, event: CaseEvent): CaseSnapshot | null {
  const [next] = transition(caseMachine, snapshot, event);
  return next === snapshot ? null : next;
}

const describeEvent = (event: CaseEvent, state: CaseState) =>
  `${event.type} by ${event.actor.kind === 'person' ? event.actor.email : event.actor.name} in ${state}`;

/**
 * Checks, from the path's own events and without the policy code, that every approval and every
 * entry into `action` meets the rules. Returns the violations found.
 */
function approvalViolations(moves: Move[], input: CaseInput): string[] {
  const violations: string[] = [];
  const escalators = new Set<string>();
  let proposal: string | undefined;
  let approvers: string[] = [];

  for (const { from, event, to } of moves) {
    const email = event.actor.kind === 'person' ? event.actor.email : null;
    if (event.type === 'ESCALATE' && email !== null) escalators.add(email);
    if (event.type === 'CHOOSE_RESPONSE' || event.type === 'REJECT') approvers = [];
    if (event.type === 'CHOOSE_RESPONSE') proposal = event.proposedAction;

    if (event.type === 'APPROVE') {
      if (event.actor.kind !== 'person') violations.push('approval by a system actor');
      else if (!event.actor.roles.includes('legal'))
        violations.push(`approval by ${email} without the legal role`);
      if (email !== null && escalators.has(email))
        violations.push(`approval by escalating analyst ${email}`);
      if (email === input.subject.email) violations.push('approval by the subject');
      if (email === input.subject.managerEmail)
        violations.push("approval by the subject's manager");
      if (email !== null && approvers.includes(email))
        violations.push(`second approval by ${email}`);
      if (email !== null) approvers.push(email);
    }

    if (to.value === 'action' && from.value !== 'action') {
      const required = proposal !== undefined && fourEyes.has(proposal) ? 2 : 1;
      if (event.type !== 'APPROVE') violations.push(`entered action through ${event.type}`);
      if (approvers.length < required) {
        violations.push(`${proposal} taken with ${approvers.length} of ${required} approvals`);
      }
    }
  }
  return violations;
}

/**
 * Checks one path: each move must be allowed by the policy and lead the machine to the same
 * snapshot, and the invariants must hold. Probes every vertex not probed before.
 */
function checkPath(
  path: StatePath<CaseSnapshot, CaseEvent>,
  input: CaseInput,
  probes: ProbeLog,
): string[] {
  const problems: string[] = [];
  const moves = movesOf(path);

  for (const { from, event, to } of moves) {
    const where = describeEvent(event, from.value);
    const next = machineNext(from, event);
    if (checkEvent(from.value, from.context, event) !== null)
      problems.push(`policy refused ${where}`);
    if (next === null || vertexKey(next) !== vertexKey(to))
      problems.push(`machine diverged on ${where}`);
    if (isSubjectEvent(event)) problems.push(`subject succeeded: ${where}`);
    if (from.value === 'closed' && !closedEvents.has(event.type))
      problems.push(`closed case took ${where}`);
  }
  problems.push(...approvalViolations(moves, input));

  // The policy reads only what vertexKey contains, so one probe per vertex is enough.
  for (const snapshot of path.steps.map((step) => step.state)) {
    const key = vertexKey(snapshot);
    if (probes.vertices.has(key)) continue;
    probes.vertices.add(key);
    problems.push(...probe(snapshot, probes));
  }
  return problems;
}

interface ProbeLog {
  vertices: Set<string>;
  acceptedTypes: Set<string>;
  count: number;
}

const isSubjectEvent = (event: CaseEvent) =>
  event.actor.kind === 'person' && event.actor.email === subjectEmail;

/** Sends every probe event to the snapshot and compares the policy's verdict with the machine's. */
function probe(snapshot: CaseSnapshot, log: ProbeLog): string[] {
  const problems: string[] = [];
  const { context } = snapshot;

  for (const event of probeEvents(snapshot.value)) {
    const refusal = checkEvent(snapshot.value, context, event);
    const next = machineNext(snapshot, event);
    const where = describeEvent(event, snapshot.value);
    log.count += 1;

    if ((refusal === null) !== (next !== null)) {
      const verdict = refusal === null ? 'allows' : `refuses (${refusal.code})`;
      problems.push(`policy ${verdict} but the machine does not agree: ${where}`);
    }
    if (next === null) continue;

    log.acceptedTypes.add(event.type);
    if (isSubjectEvent(event)) problems.push(`subject succeeded: ${where}`);
    if (snapshot.value === 'closed' && !closedEvents.has(event.type))
      problems.push(`closed case took ${where}`);
    if (event.type === 'APPROVE' && event.actor.kind === 'person') {
      const email = event.actor.email;
      if (context.escalators.includes(email))
        problems.push(`escalating analyst approved: ${where}`);
      if (email === context.subject.managerEmail) problems.push(`manager approved: ${where}`);
      if (context.approvals.some((approval) => approval.email === email))
        problems.push(`approved twice: ${where}`);
    }
    if (next.value === 'action' && snapshot.value !== 'action') {
      const required = fourEyes.has(next.context.proposedAction ?? '') ? 2 : 1;
      const approvers = new Set(next.context.approvals.map((approval) => approval.email));
      if (approvers.size < required)
        problems.push(`entered action with ${approvers.size} approvers: ${where}`);
    }
  }
  return problems;
}

const allStates: CaseState[] = [...caseStates];
const withoutManager = allStates.filter(
  (state) => state !== 'manager_notice' && state !== 'follow_up',
);
const allTypes: string[] = [...caseEventTypes];
// Without a known manager, HR cannot involve one, so ACKNOWLEDGE and CLOSE are never reached.
const typesWithoutManager = allTypes.filter((type) => type !== 'ACKNOWLEDGE' && type !== 'CLOSE');

// Covers 482 simple paths over 50 vertices for a subject with a known manager, and 366 over 44
// without one. Each vertex gets the 156 probe events. The expected counts pin the traversal, so
// they change whenever the machine or the samples do.
describe.each([
  {
    name: 'resolved subject',
    input: makeInput(),
    simplePaths: 482,
    vertices: 50,
    states: allStates,
    types: allTypes,
  },
  {
    name: 'unresolved subject',
    input: makeUnresolvedInput(),
    simplePaths: 366,
    vertices: 44,
    states: withoutManager,
    types: typesWithoutManager,
  },
])('case paths with $name', ({ input, simplePaths, vertices, states, types }) => {
  it('keeps invariants on simple paths', () => {
    const paths = getSimplePaths(caseMachine, traversal(input));
    const probes: ProbeLog = { vertices: new Set(), acceptedTypes: new Set(), count: 0 };
    const problems = paths.flatMap((path) => checkPath(path, input, probes));
    const reached = new Set(paths.map((path) => path.state.value));

    expect(problems).toEqual([]);
    expect(paths.length).toBe(simplePaths);
    expect(probes.vertices.size).toBe(vertices);
    expect(probes.count).toBe(vertices * 156);
    expect([...reached].sort()).toEqual([...states].sort());
    expect([...probes.acceptedTypes].sort()).toEqual([...types].sort());
  });

  it('keeps invariants on shortest paths', () => {
    const paths = getShortestPaths(caseMachine, traversal(input));
    const probes: ProbeLog = { vertices: new Set(), acceptedTypes: new Set(), count: 0 };
    const problems = paths.flatMap((path) => checkPath(path, input, probes));

    expect(problems).toEqual([]);
    expect(paths.length).toBe(vertices);
  });
});
