import { z } from 'zod';

/** Roles granted by the configuration. The subject's manager is a relation, not a role. */
export const roles = ['security', 'hr', 'legal'] as const;
export type Role = (typeof roles)[number];

export const caseStates = [
  'triage',
  'hr_review',
  'conversation',
  'manager_notice',
  'follow_up',
  'legal_review',
  'action',
  'closed',
] as const;
export type CaseState = (typeof caseStates)[number];

export const priorities = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof priorities)[number];

export const dismissOutcomes = ['false_positive', 'benign', 'no_action'] as const;
export const hrResponses = [
  'corrective_conversation',
  'involve_manager',
  'serious_action',
] as const;
export type HrResponse = (typeof hrResponses)[number];
/** Serious actions HR may propose; Legal approves them before they are taken. */
export const seriousActions = [
  'written_warning',
  'access_revocation',
  'suspension',
  'termination',
  'law_enforcement_referral',
] as const;
export type SeriousAction = (typeof seriousActions)[number];
export const followUpOutcomes = ['resolved', 'no_further_action'] as const;
/** HR facts about the subject that reach an open case: the last working day arrived, a new manager. */
export const hrUpdateKinds = ['departure', 'manager_changed'] as const;
export type HrUpdateKind = (typeof hrUpdateKinds)[number];

/** How a closed case ended. */
export const caseOutcomes = [
  ...dismissOutcomes,
  'coached',
  ...followUpOutcomes,
  'serious_action',
] as const;
export type CaseOutcome = (typeof caseOutcomes)[number];

const email = z.string().trim().toLowerCase().pipe(z.email());
const text = z.string().trim().min(1, 'must not be empty').max(4000);

/** Who sends an event: a person with their roles, or a component of the bot itself. */
export const actorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), email, roles: z.array(z.enum(roles)) }),
  z.object({
    kind: z.literal('system'),
    name: z.enum(['intake', 'scheduler', 'retention', 'hr_sync']),
  }),
]);
export type Actor = z.infer<typeof actorSchema>;

const base = { actor: actorSchema, at: z.iso.datetime({ offset: true }) };

/** Every event of the case machine, validated at the edges (CLI, HTTP, chat) before it is sent. */
/** The rung of the state's SLA ladder that a timer fired; absent in events written before ladders. */
const step = z.number().int().min(0).optional();

export const caseEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ASSIGN'), ...base, assignee: email }),
  z.object({ type: z.literal('NOTE'), ...base, text }),
  z.object({ type: z.literal('DISMISS'), ...base, outcome: z.enum(dismissOutcomes), reason: text }),
  z.object({ type: z.literal('ESCALATE'), ...base, summary: text }),
  z.object({
    type: z.literal('CHOOSE_RESPONSE'),
    ...base,
    response: z.enum(hrResponses),
    /** Required when `response` is `serious_action`. */
    proposedAction: z.enum(seriousActions).optional(),
    reason: text.optional(),
  }),
  z.object({ type: z.literal('RETURN_TO_SECURITY'), ...base, question: text }),
  z.object({ type: z.literal('RECORD_CONVERSATION'), ...base, notes: text }),
  z.object({ type: z.literal('ACKNOWLEDGE'), ...base }),
  z.object({
    type: z.literal('CLOSE'),
    ...base,
    outcome: z.enum(followUpOutcomes),
    reason: text.optional(),
  }),
  z.object({ type: z.literal('APPROVE'), ...base, reason: text.optional() }),
  z.object({ type: z.literal('REJECT'), ...base, reason: text }),
  z.object({ type: z.literal('RECORD_ACTION'), ...base, notes: text }),
  z.object({ type: z.literal('REOPEN'), ...base, reason: text }),
  z.object({
    type: z.literal('SIGNAL_ADDED'),
    ...base,
    signalId: z.string().min(1),
    priority: z.enum(priorities),
  }),
  z.object({ type: z.literal('LEGAL_HOLD'), ...base, hold: z.boolean(), reason: text }),
  z.object({ type: z.literal('SLA_REMIND'), ...base, state: z.enum(caseStates), step }),
  z.object({ type: z.literal('SLA_ESCALATE'), ...base, state: z.enum(caseStates), step }),
  /** Retention replaces the subject with a tombstone key once the retention period of a closed case ends. */
  z.object({
    type: z.literal('ANONYMISE'),
    ...base,
    tombstoneKey: z.string().startsWith('tombstone:'),
    /** The retention rule that applied, such as `countries.DE.outcomes.false_positive`. */
    rule: z.string().min(1),
    retentionDays: z.number().int().positive(),
    /** The last audit sequence number of the case stream whose content was redacted with it. */
    redactedThrough: z.number().int().nonnegative(),
    /** The date the retention period was measured at; later than `at` only in a run with `--as-of`. */
    asOf: z.iso.datetime({ offset: true }),
  }),
  z.object({
    type: z.literal('HR_UPDATE'),
    ...base,
    kind: z.enum(hrUpdateKinds),
    /** For `manager_changed`: the new manager, or null when the directory names none. */
    managerEmail: email.nullable().optional(),
    /** For `departure`: the last working day (YYYY-MM-DD) that arrived. */
    lastWorkingDay: z.iso.date().optional(),
  }),
]);
export type CaseEvent = z.infer<typeof caseEventSchema>;
export type CaseEventType = CaseEvent['type'];
export const caseEventTypes = caseEventSchema.options.map((option) => option.shape.type.value);

/** Input of a new case: who it is about and how urgent it is. */
export interface CaseInput {
  caseId: string;
  subject: {
    key: string;
    email: string | null;
    managerEmail: string | null;
    /** False when the subject is not in the directory. */
    resolved: boolean;
  };
  priority: Priority;
  openedAt: string;
}

const approvalSchema = z.object({ email: z.string(), at: z.string() });
const slaRecordSchema = z.object({ state: z.enum(caseStates), at: z.string() });

/**
 * Context of the case machine. It is stored inside the persisted snapshot, so this schema also
 * validates snapshots read back from the database. E-mail addresses are stored lower-cased.
 */
export const caseContextSchema = z.object({
  caseId: z.string(),
  subject: z.object({
    key: z.string(),
    email: z.string().nullable(),
    managerEmail: z.string().nullable(),
    resolved: z.boolean(),
  }),
  priority: z.enum(priorities),
  assignee: z.string().nullable(),
  /** The analyst who sent the latest ESCALATE. */
  escalatedBy: z.string().nullable(),
  /** Every analyst who escalated this case, across returns and reopens. None of them may choose the HR response or approve. */
  escalators: z.array(z.string()),
  escalationSummary: z.string().nullable(),
  hrResponse: z.enum(hrResponses).nullable(),
  proposedAction: z.enum(seriousActions).nullable(),
  /** Legal approvals of the current proposed action, in order. */
  approvals: z.array(approvalSchema),
  outcome: z.enum(caseOutcomes).nullable(),
  legalHold: z.boolean(),
  /** True once retention replaced the subject with a tombstone key; such a case cannot be reopened. */
  anonymised: z.boolean().default(false),
  /** Number of accepted SIGNAL_ADDED events, that is signals that joined after the case opened. */
  signalCount: z.number().int().nonnegative(),
  /** SLA reminders the scheduler sent, with the state each was about. */
  reminders: z.array(slaRecordSchema),
  /** SLA escalations the scheduler sent, with the state each was about. */
  escalations: z.array(slaRecordSchema),
  /** The last accepted event that changed the state or recorded a decision (an approval). */
  lastDecision: z
    .object({
      type: z.enum(caseEventTypes as [CaseEventType, ...CaseEventType[]]),
      /** The person's e-mail address, or `system:<name>` for a system actor. */
      actor: z.string(),
      at: z.string(),
    })
    .nullable(),
  reopenCount: z.number().int().nonnegative(),
  openedAt: z.string(),
  /** Time the case entered its current state. SLA due times count from it. */
  stateEnteredAt: z.string(),
  /** The `at` of the last accepted event. */
  updatedAt: z.string(),
});
export type CaseContext = z.infer<typeof caseContextSchema>;
