import { z } from 'zod';
import { type CaseEventType, caseStates } from '../../workflows/case-events.ts';

/** Events a person starts from a button on a case card. NOTE is sent as a thread reply instead. */
export const buttonEventTypes = [
  'ASSIGN',
  'DISMISS',
  'ESCALATE',
  'CHOOSE_RESPONSE',
  'RETURN_TO_SECURITY',
  'RECORD_CONVERSATION',
  'ACKNOWLEDGE',
  'CLOSE',
  'APPROVE',
  'REJECT',
  'RECORD_ACTION',
  'REOPEN',
  'LEGAL_HOLD',
] as const satisfies readonly CaseEventType[];
export type ButtonEventType = (typeof buttonEventTypes)[number];

/**
 * The data a button or form sends back with a click: the case, the version and state the person saw
 * (so that a decision on a stale card is refused), and for LEGAL_HOLD whether the hold is placed
 * or released. Platforms carry it as compact JSON (a Slack button's `value`, a modal's
 * `private_metadata`).
 */
export const actionPayloadSchema = z.strictObject({
  caseId: z.string().min(1).max(100),
  version: z.number().int().nonnegative(),
  expectedState: z.enum(caseStates),
  hold: z.boolean().optional(),
});
export type ActionPayload = z.infer<typeof actionPayloadSchema>;

export function encodeActionPayload(payload: ActionPayload): string {
  return JSON.stringify(payload);
}

/** Parses the JSON a click sent back; returns null when it is not an action payload. */
export function parseActionPayload(json: unknown): ActionPayload | null {
  if (typeof json !== 'string') return null;

  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = actionPayloadSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function isButtonEventType(value: unknown): value is ButtonEventType {
  return typeof value === 'string' && (buttonEventTypes as readonly string[]).includes(value);
}
