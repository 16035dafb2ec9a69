import {
  type Actor,
  type CaseState,
  caseStates,
  type Priority,
  type Role,
  roles,
} from '../../workflows/case-events.ts';
import { initialContext } from '../../workflows/case-machine.ts';
import { allowedEvents } from '../../workflows/policy.ts';
import type { ActionPayload, ButtonEventType } from './action-payload.ts';
import { isButtonEventType } from './action-payload.ts';
import { buildForm, type FormView } from './forms.ts';
import { type Locale, t } from './messages/index.ts';

/** The recipients of a view: a role's channel thread, or the subject's manager in a direct message. */
export const audiences = ['security', 'hr', 'legal', 'manager'] as const;
export type Audience = (typeof audiences)[number];

export type ActionStyle = 'primary' | 'danger' | 'default';

/** A button on a case card. */
export interface ActionView {
  event: ButtonEventType;
  label: string;
  style: ActionStyle;
  /** The data the click sends back. */
  payload: ActionPayload;
  /** The form to fill before the event is sent, or null when a click sends it at once. */
  form: FormView | null;
}

/** The parts of a case that its actions depend on, a subset of the view input. */
export interface ActionContext {
  caseId: string;
  caseKey: string;
  version: number;
  state: CaseState;
  priority: Priority;
  openedAt: string;
  resolved: boolean;
  managerKnown: boolean;
  legalHold: boolean;
}

const primaryEvents: readonly ButtonEventType[] = [
  'ESCALATE',
  'CHOOSE_RESPONSE',
  'RECORD_CONVERSATION',
  'ACKNOWLEDGE',
  'CLOSE',
  'APPROVE',
  'RECORD_ACTION',
  'REOPEN',
];
const dangerEvents: readonly ButtonEventType[] = ['DISMISS', 'REJECT'];

// Stand-in addresses for the generic viewer: the policy is asked what any holder of the role may
// do, so rules about one person (the escalating analyst, an earlier approver) are checked when
// that person clicks.
const viewerEmail = 'viewer@casebridge.invalid';
const managerEmail = 'manager@casebridge.invalid';

function viewerActor(audience: Audience): Actor {
  if (audience === 'manager') return { kind: 'person', email: managerEmail, roles: [] };
  const role: Role = audience;
  return { kind: 'person', email: viewerEmail, roles: [role] };
}

/** Lists the button events an audience may send in the case's current state. */
export function actionEvents(context: ActionContext, audience: Audience): ButtonEventType[] {
  const policyContext = initialContext({
    caseId: context.caseId,
    subject: { key: 'viewer', email: null, managerEmail, resolved: context.resolved },
    priority: context.priority,
    openedAt: context.openedAt,
  });

  // allowedEvents leaves payload rules out: APPROVE is listed in legal_review, and whether an
  // action is proposed is checked when it is sent.
  const allowed = allowedEvents(context.state, policyContext, viewerActor(audience)).filter(
    isButtonEventType,
  );
  // The manager's notice offers acknowledgement and nothing else, whatever the policy grows.
  return audience === 'manager' ? allowed.filter((type) => type === 'ACKNOWLEDGE') : allowed;
}

function actionLabel(locale: Locale, type: ButtonEventType, legalHold: boolean): string {
  if (type === 'LEGAL_HOLD') {
    return t(locale, legalHold ? 'event.releaseLegalHold' : 'event.placeLegalHold');
  }
  return t(locale, `event.${type}`);
}

function actionStyle(type: ButtonEventType): ActionStyle {
  if (primaryEvents.includes(type)) return 'primary';
  if (dangerEvents.includes(type)) return 'danger';
  return 'default';
}

/** Builds the buttons of a case card for an audience, each with its form when it needs one. */
export function buildActions(
  context: ActionContext,
  audience: Audience,
  locale: Locale,
): ActionView[] {
  return actionEvents(context, audience).map((type) => {
    const payload: ActionPayload = {
      caseId: context.caseId,
      version: context.version,
      expectedState: context.state,
    };
    if (type === 'LEGAL_HOLD') payload.hold = !context.legalHold;

    const label = actionLabel(locale, type, context.legalHold);
    const form = buildForm(type, payload, {
      locale,
      caseKey: context.caseKey,
      actionLabel: label,
      managerKnown: context.managerKnown,
    });
    return { event: type, label, style: actionStyle(type), payload, form };
  });
}

/**
 * Lists the roles that may send a button event in some state, or an empty list when only the
 * subject's manager may (ACKNOWLEDGE). Refusals name these roles.
 */
export function rolesFor(type: ButtonEventType): Role[] {
  return roles.filter((role) =>
    caseStates.some((state) =>
      actionEvents(
        {
          caseId: 'roles',
          caseKey: 'roles',
          version: 0,
          state,
          priority: 'low',
          openedAt: '1970-01-01T00:00:00.000Z',
          resolved: true,
          managerKnown: true,
          legalHold: false,
        },
        role,
      ).includes(type),
    ),
  );
}
