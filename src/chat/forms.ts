import { z } from 'zod';
import { caseEventSchema } from '../../workflows/case-events.ts';
import { CasebridgeError } from '../errors.ts';
import type { ActionPayload, ButtonEventType } from './action-payload.ts';
import { type Locale, type PlainMessageKey, t } from './messages/index.ts';
import { outcomeLabel, responseLabel, seriousActionLabel } from './messages/labels.ts';

export type FormFieldKind = 'text' | 'textarea' | 'select';

export interface FormOption {
  value: string;
  label: string;
}

/** One input of a form; `id` is the name of the event field it fills. */
export interface FormField {
  id: string;
  label: string;
  kind: FormFieldKind;
  required: boolean;
  /** The choices of a `select` field; empty for text fields. */
  options: FormOption[];
  /** The longest text the event schema accepts, or null when it sets no limit. */
  maxLength: number | null;
  hint: string | null;
}

/** A platform-neutral form that collects the payload of one event before it is sent. */
export interface FormView {
  event: ButtonEventType;
  title: string;
  /** One line above the fields naming the case and the action. */
  intro: string;
  submitLabel: string;
  cancelLabel: string;
  fields: FormField[];
  /** The data the submission sends back, as for a button click. */
  payload: ActionPayload;
}

/** A field of an event as its zod schema declares it, before labels are added. */
export interface FieldSpec {
  id: string;
  kind: FormFieldKind;
  required: boolean;
  options: readonly string[];
  maxLength: number | null;
  email: boolean;
}

/** Fields that the click sets, not the person: the actor, the time, and the hold flag. */
const fixedFields = new Set(['type', 'actor', 'at', 'hold']);

/** Text fields with a limit up to this length are single-line inputs; longer ones are multi-line. */
const singleLineMaxLength = 200;

function bodySchema(type: ButtonEventType) {
  const option = caseEventSchema.options.find((candidate) => candidate.shape.type.value === type);
  if (option === undefined) throw new Error(`no event schema for ${type}`);
  const { actor: _actor, at: _at, ...fields } = option.shape as Record<string, z.ZodType>;
  return z.object(fields);
}

/** Lists the fields a person fills for an event, derived from the event's zod schema. */
export function fieldSpecs(type: ButtonEventType): FieldSpec[] {
  const shape = bodySchema(type).shape as Record<string, z.ZodType>;
  const specs: FieldSpec[] = [];

  for (const [id, declared] of Object.entries(shape)) {
    if (fixedFields.has(id)) continue;

    const required = !(declared instanceof z.ZodOptional);
    const schema = declared instanceof z.ZodOptional ? (declared.unwrap() as z.ZodType) : declared;

    if (schema instanceof z.ZodEnum) {
      const options = schema.options.map(String);
      specs.push({ id, kind: 'select', required, options, maxLength: null, email: false });
    } else if (schema instanceof z.ZodString) {
      const maxLength = schema.maxLength;
      const kind = maxLength !== null && maxLength <= singleLineMaxLength ? 'text' : 'textarea';
      specs.push({ id, kind, required, options: [], maxLength, email: false });
    } else if (schema instanceof z.ZodPipe) {
      // The e-mail schema trims and lower-cases a string, then checks its format.
      specs.push({ id, kind: 'text', required, options: [], maxLength: null, email: true });
    } else {
      throw new Error(`field ${id} of ${type} has a schema type that forms cannot show`);
    }
  }
  return specs;
}

function fieldLabelKey(type: ButtonEventType, id: string): PlainMessageKey {
  if (id === 'notes') {
    return type === 'RECORD_ACTION' ? 'form.field.actionNotes' : 'form.field.conversationNotes';
  }
  switch (id) {
    case 'assignee':
    case 'outcome':
    case 'reason':
    case 'summary':
    case 'response':
    case 'proposedAction':
    case 'question':
      return `form.field.${id}`;
    default:
      throw new Error(`field ${id} of ${type} has no label in the message catalogue`);
  }
}

function optionLabel(locale: Locale, fieldId: string, value: string): string {
  switch (fieldId) {
    case 'outcome':
      return outcomeLabel(locale, value as Parameters<typeof outcomeLabel>[1]);
    case 'response':
      return responseLabel(locale, value as Parameters<typeof responseLabel>[1]);
    case 'proposedAction':
      return seriousActionLabel(locale, value as Parameters<typeof seriousActionLabel>[1]);
    default:
      throw new Error(`select field ${fieldId} has no option labels in the message catalogue`);
  }
}

export interface FormContext {
  locale: Locale;
  caseKey: string;
  /** The action's label, repeated in the form's intro line. */
  actionLabel: string;
  /** False when the subject has no known manager, so HR cannot involve one. */
  managerKnown: boolean;
}

function formTitleKey(type: ButtonEventType, payload: ActionPayload): PlainMessageKey {
  if (type === 'LEGAL_HOLD') {
    return payload.hold === false ? 'form.title.releaseLegalHold' : 'form.title.placeLegalHold';
  }
  if (type === 'ACKNOWLEDGE') throw new Error('ACKNOWLEDGE has no form');
  return `form.title.${type}`;
}

/** Builds the form of an event, or returns null when the event has no field to fill. */
export function buildForm(
  type: ButtonEventType,
  payload: ActionPayload,
  context: FormContext,
): FormView | null {
  const specs = fieldSpecs(type);
  if (specs.length === 0) return null;

  const { locale } = context;
  const fields = specs.map((spec): FormField => {
    const values = spec.options.filter(
      (value) => !(spec.id === 'response' && value === 'involve_manager' && !context.managerKnown),
    );
    return {
      id: spec.id,
      label: t(locale, fieldLabelKey(type, spec.id)),
      kind: spec.kind,
      required: spec.required,
      options: values.map((value) => ({ value, label: optionLabel(locale, spec.id, value) })),
      maxLength: spec.maxLength,
      hint: spec.id === 'proposedAction' ? t(locale, 'form.hint.proposedAction') : null,
    };
  });

  return {
    event: type,
    title: t(locale, formTitleKey(type, payload)),
    intro: t(locale, 'form.intro', { key: context.caseKey, action: context.actionLabel }),
    submitLabel: t(locale, 'form.submit'),
    cancelLabel: t(locale, 'form.cancel'),
    fields,
    payload,
  };
}

/** The event without actor and time, ready for `actOnCase`. */
export type EventBody = Record<string, unknown> & { type: ButtonEventType };

export type FormValidation =
  | { ok: true; body: EventBody }
  | { ok: false; errors: Record<string, string> };

/**
 * Validates the values a person entered in the form of `type` and builds the event body.
 * Empty or blank values count as missing. Errors are keyed by field id and worded for the person.
 * Throws EVENT_INVALID when the payload lacks what the click should have set (LEGAL_HOLD's hold).
 */
export function validateFormValues(
  type: ButtonEventType,
  payload: ActionPayload,
  values: Record<string, string | null | undefined>,
  locale: Locale,
): FormValidation {
  const specs = fieldSpecs(type);
  const candidate: Record<string, unknown> = { type };
  if (type === 'LEGAL_HOLD') candidate.hold = payload.hold;
  for (const spec of specs) {
    const value = values[spec.id]?.trim();
    if (value !== undefined && value !== '') candidate[spec.id] = value;
  }

  const errors: Record<string, string> = {};
  const parsed = bodySchema(type).safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const spec = specs.find((field) => field.id === issue.path[0]);
      if (spec === undefined) {
        throw new CasebridgeError(
          'EVENT_INVALID',
          `${type} form payload is invalid: ${issue.message}`,
          {
            details: { event: type, path: issue.path.map(String).join('.') },
          },
        );
      }
      errors[spec.id] ??= issueMessage(issue, spec, locale);
    }
  }
  Object.assign(errors, crossFieldErrors(type, candidate, errors, locale));

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body: parsed.data as EventBody };
}

function issueMessage(issue: z.core.$ZodIssue, spec: FieldSpec, locale: Locale): string {
  if (issue.code === 'too_big')
    return t(locale, 'form.error.tooLong', { max: Number(issue.maximum) });
  if (issue.code === 'invalid_format' && spec.email) return t(locale, 'form.error.email');
  if (spec.kind === 'select') return t(locale, 'form.error.chooseOption');
  return t(locale, 'form.error.required');
}

/** Checks the policy's payload rule that ties two fields together, so that the form shows it inline. */
function crossFieldErrors(
  type: ButtonEventType,
  candidate: Record<string, unknown>,
  errors: Record<string, string>,
  locale: Locale,
): Record<string, string> {
  if (
    type !== 'CHOOSE_RESPONSE' ||
    errors.response !== undefined ||
    errors.proposedAction !== undefined
  ) {
    return {};
  }
  const serious = candidate.response === 'serious_action';
  if (serious && candidate.proposedAction === undefined) {
    return { proposedAction: t(locale, 'form.error.proposedActionRequired') };
  }
  if (!serious && candidate.proposedAction !== undefined) {
    return { proposedAction: t(locale, 'form.error.proposedActionNotAllowed') };
  }
  return {};
}
