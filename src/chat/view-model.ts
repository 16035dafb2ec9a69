import type {
  CaseOutcome,
  CaseState,
  HrResponse,
  Priority,
  SeriousAction,
} from '../../workflows/case-events.ts';
import { approvalsRequired } from '../../workflows/policy.ts';
import type { StoredWatchReason } from '../intake/watch-reason.ts';
import { type ActionView, type Audience, buildActions } from './actions.ts';
import {
  buildEvidence,
  type EvidenceView,
  identityRedactor,
  type Redact,
  type SignalSummary,
} from './evidence.ts';
import { formatTime, type Locale, t } from './messages/index.ts';
import {
  outcomeLabel,
  priorityLabel,
  responseLabel,
  seriousActionLabel,
  stateLabel,
} from './messages/labels.ts';
import { describeWatchReason } from './watch-reason-text.ts';

export type { ActionView, Audience } from './actions.ts';
export type { EvidenceItem, EvidenceView, SignalSummary } from './evidence.ts';
export type { FormField, FormView } from './forms.ts';

/** Everything a case card may show, as plain data; each audience receives a part of it. */
export interface CaseViewInput {
  id: string;
  key: string;
  /** The case row's version; a click on a card of an older version is refused. */
  version: number;
  state: CaseState;
  priority: Priority;
  openedAt: string;
  subject: {
    /** The stable pseudonym shown to security until a reveal is approved. */
    pseudonym: string;
    name: string | null;
    email: string | null;
    /** False when the subject is not in the directory. */
    resolved: boolean;
    /** True when the directory names the subject's manager. */
    managerKnown: boolean;
  };
  assignee: string | null;
  escalationSummary: string | null;
  hrResponse: HrResponse | null;
  proposedAction: SeriousAction | null;
  approvals: Array<{ email: string; at: string }>;
  outcome: CaseOutcome | null;
  legalHold: boolean;
  /** SLA reminders sent, with the state each was about. */
  reminders: Array<{ state: CaseState; at: string }>;
  signals: SignalSummary[];
  /** The open identity reveal request or the live reveal of the case, if any. */
  reveal?: RevealState | null;
  /** The reason watch rules gave for the case's signals, or null (or absent) when none flagged them. */
  watchReason?: StoredWatchReason | null;
}

/**
 * An identity reveal as the views show it: a request waiting for HR or the privacy role, or an
 * approved reveal that lets security see the identity until `expiresAt`.
 */
export type RevealState =
  | { status: 'pending'; requestedBy: string; reason: string }
  | { status: 'approved'; requestedBy: string; approvedBy: string; expiresAt: string };

/** The effect of an identity reveal button. */
export type RevealActionKind = 'request' | 'approve' | 'reject';

/** An identity reveal button on a case card; its click carries only the case id. */
export interface RevealActionView {
  kind: RevealActionKind;
  label: string;
  style: 'primary' | 'danger' | 'default';
}

/** A labelled value; `long` values (free text) get a row of their own. */
export interface ViewField {
  id: string;
  label: string;
  value: string;
  long: boolean;
}

/** A case as shown to one audience, in one locale, for any chat platform to render. */
export interface CaseView {
  audience: Audience;
  caseId: string;
  caseKey: string;
  version: number;
  state: CaseState;
  headline: string;
  /** Plain text for notifications and clients that cannot show cards. */
  summary: string;
  stateLabel: string;
  /** Null in the manager's notice, which shows no case details. */
  priority: { value: Priority; label: string } | null;
  subjectLabel: string;
  /** Paragraphs above the fields: the manager's notice, the legal hold warning. */
  banners: string[];
  fields: ViewField[];
  /**
   * The identity reveal buttons: request for security when no reveal is open or live, approve and
   * reject for HR while a request waits. Missing or empty when there are none.
   */
  revealActions?: RevealActionView[];
  /** Null in the manager's notice, which never shows evidence. */
  evidence: EvidenceView | null;
  actions: ActionView[];
  footer: string;
}

export interface CaseViewOptions {
  /** How many signals the evidence list shows; the others are counted. Defaults to 10. */
  maxEvidence?: number;
}

const defaultMaxEvidence = 10;

/**
 * Builds the view of a case for one audience. Security gets the subject's pseudonym, and the
 * subject's name and e-mail address are replaced by it in every text shown to security. HR and
 * Legal get the identity. The manager gets a notice with the subject's name and only the
 * ACKNOWLEDGE button.
 */
export function buildCaseView(
  input: CaseViewInput,
  audience: Audience,
  locale: Locale,
  options: CaseViewOptions = {},
): CaseView {
  const actions = buildActions(
    {
      caseId: input.id,
      caseKey: input.key,
      version: input.version,
      state: input.state,
      priority: input.priority,
      openedAt: input.openedAt,
      resolved: input.subject.resolved,
      managerKnown: input.subject.managerKnown,
      legalHold: input.legalHold,
    },
    audience,
    locale,
  );

  if (audience === 'manager') return buildManagerNotice(input, actions, locale);

  // Security sees the pseudonym, unless an approved reveal is live.
  const pseudonymous = audience === 'security' && input.reveal?.status !== 'approved';
  const redact = pseudonymous
    ? identityRedactor(input.subject, input.subject.pseudonym)
    : (text: string) => text;
  const subjectLabel = describeSubject(input, pseudonymous, locale);
  const state = stateLabel(locale, input.state);

  return {
    audience,
    caseId: input.id,
    caseKey: input.key,
    version: input.version,
    state: input.state,
    headline: t(locale, 'card.headline', { key: input.key }),
    summary: t(locale, 'card.fallback', { key: input.key, state }),
    stateLabel: state,
    priority: { value: input.priority, label: priorityLabel(locale, input.priority) },
    subjectLabel,
    banners: [
      ...(input.legalHold ? [t(locale, 'card.legalHold')] : []),
      ...revealBanners(input, audience, locale, redact),
    ],
    fields: caseFields(input, audience, locale, { state, subjectLabel, redact }),
    evidence: buildEvidence(input.signals, {
      locale,
      caseKey: input.key,
      maxItems: options.maxEvidence ?? defaultMaxEvidence,
      redact,
    }),
    actions,
    revealActions: revealActions(input, audience, locale),
    footer: t(locale, 'card.footer', {
      key: input.key,
      version: input.version,
      openedAt: formatTime(input.openedAt),
    }),
  };
}

function buildManagerNotice(input: CaseViewInput, actions: ActionView[], locale: Locale): CaseView {
  const name = input.subject.name ?? input.subject.email ?? t(locale, 'subject.unknown');
  const headline = t(locale, 'manager.headline', { name });
  const body =
    input.state === 'manager_notice'
      ? t(locale, 'manager.body', { name })
      : t(locale, 'manager.done', { name });

  return {
    audience: 'manager',
    caseId: input.id,
    caseKey: input.key,
    version: input.version,
    state: input.state,
    headline,
    summary: headline,
    stateLabel: stateLabel(locale, input.state),
    priority: null,
    subjectLabel: name,
    banners: [body],
    fields: [],
    evidence: null,
    actions,
    footer: t(locale, 'manager.footer', { key: input.key }),
  };
}

/**
 * Offers security a request while no reveal is open or live, and HR a decision while a request
 * waits. A view built without the reveal state (`reveal` undefined) offers no request, because it
 * cannot tell. Who may click is checked when the click arrives.
 */
function revealActions(
  input: CaseViewInput,
  audience: Audience,
  locale: Locale,
): RevealActionView[] {
  const reveal = input.reveal;
  if (audience === 'security' && reveal === null && input.state !== 'closed') {
    return [{ kind: 'request', label: t(locale, 'reveal.button.request'), style: 'default' }];
  }
  if (audience === 'hr' && reveal?.status === 'pending') {
    return [
      { kind: 'approve', label: t(locale, 'reveal.button.approve'), style: 'primary' },
      { kind: 'reject', label: t(locale, 'reveal.button.reject'), style: 'danger' },
    ];
  }
  return [];
}

/** Tells security and HR about an identity reveal; Legal sees none. */
function revealBanners(
  input: CaseViewInput,
  audience: Audience,
  locale: Locale,
  redact: Redact,
): string[] {
  const reveal = input.reveal ?? null;
  if (reveal === null || (audience !== 'security' && audience !== 'hr')) return [];
  if (reveal.status === 'approved') {
    const until = formatTime(reveal.expiresAt);
    return [t(locale, 'reveal.bannerRevealed', { until, approver: reveal.approvedBy })];
  }
  if (audience === 'security') {
    return [
      t(locale, 'reveal.bannerPending', {
        requester: reveal.requestedBy,
        reason: redact(reveal.reason),
      }),
    ];
  }
  return [
    t(locale, 'reveal.bannerDecide', {
      requester: reveal.requestedBy,
      reason: reveal.reason,
      key: input.key,
    }),
  ];
}

function describeSubject(input: CaseViewInput, pseudonymous: boolean, locale: Locale): string {
  const { subject } = input;
  let label: string;
  if (pseudonymous) label = subject.pseudonym;
  else if (subject.name !== null && subject.email !== null) {
    label = t(locale, 'subject.identity', { name: subject.name, email: subject.email });
  } else label = subject.name ?? subject.email ?? subject.pseudonym;

  return subject.resolved ? label : t(locale, 'subject.unresolved', { label });
}

function caseFields(
  input: CaseViewInput,
  audience: Exclude<Audience, 'manager'>,
  locale: Locale,
  shown: { state: string; subjectLabel: string; redact: Redact },
): ViewField[] {
  const fields: ViewField[] = [];
  const add = (id: string, label: string, value: string, long = false) =>
    fields.push({ id, label, value, long });

  add('state', t(locale, 'card.field.state'), shown.state);
  add('priority', t(locale, 'card.field.priority'), priorityLabel(locale, input.priority));
  add('subject', t(locale, 'card.field.subject'), shown.subjectLabel);
  // Built from list and fact names only, so it carries no name to redact for security.
  if (input.watchReason !== undefined && input.watchReason !== null) {
    add(
      'watchReason',
      t(locale, 'card.field.watchReason'),
      describeWatchReason(input.watchReason, locale),
      true,
    );
  }
  add(
    'assignee',
    t(locale, 'card.field.assignee'),
    input.assignee ?? t(locale, 'card.value.unassigned'),
  );

  if (input.hrResponse !== null) {
    add('hrResponse', t(locale, 'card.field.hrResponse'), responseLabel(locale, input.hrResponse));
  }
  // Which serious action HR proposes, and who approved it, is for HR and Legal only.
  if (audience !== 'security' && input.proposedAction !== null) {
    add(
      'proposedAction',
      t(locale, 'card.field.proposedAction'),
      seriousActionLabel(locale, input.proposedAction),
    );
    add(
      'approvals',
      t(locale, 'card.field.approvals'),
      describeApprovals(input, input.proposedAction, locale),
    );
  }
  if (input.outcome !== null) {
    add('outcome', t(locale, 'card.field.outcome'), outcomeLabel(locale, input.outcome));
  }

  const reminders = input.reminders.filter((reminder) => reminder.state === input.state);
  const lastReminder = reminders.at(-1);
  if (lastReminder !== undefined) {
    add(
      'reminders',
      t(locale, 'card.field.reminders'),
      t(locale, 'card.value.remindersInState', {
        count: reminders.length,
        time: formatTime(lastReminder.at),
      }),
    );
  }
  if (input.escalationSummary !== null) {
    add(
      'escalationSummary',
      t(locale, 'card.field.escalationSummary'),
      shown.redact(input.escalationSummary),
      true,
    );
  }
  return fields;
}

function describeApprovals(input: CaseViewInput, action: SeriousAction, locale: Locale): string {
  const count = input.approvals.length;
  const required = approvalsRequired(action);
  if (count === 0) return t(locale, 'card.value.approvals', { count, required });

  const approvers = input.approvals.map((approval) => approval.email).join(', ');
  return t(locale, 'card.value.approvers', { count, required, approvers });
}
