import type { types } from '@slack/bolt';
import { z } from 'zod';
import { CasebridgeError } from '../../errors.ts';
import {
  type ActionPayload,
  actionPayloadSchema,
  type ButtonEventType,
  encodeActionPayload,
  isButtonEventType,
  parseActionPayload,
} from '../action-payload.ts';
import type { FormField, FormView } from '../forms.ts';
import { blockKitLimits as limits, mrkdwn, truncate } from './limits.ts';

type ModalView = types.ModalView;
type InputBlock = types.InputBlock;

const callbackIdPrefix = 'case-form:';

/** Returns the `callback_id` of an event's form, which names the event in the submission. */
export function callbackIdOf(event: ButtonEventType): string {
  return `${callbackIdPrefix}${event}`;
}

/** Returns the `block_id` and `action_id` of a field's input: the field id, unique per form. */
export function blockIdOf(fieldId: string): string {
  return fieldId;
}

function plainText(text: string, max: number) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}

function inputElement(field: FormField): InputBlock['element'] {
  if (field.kind === 'select') {
    return {
      type: 'static_select',
      action_id: blockIdOf(field.id),
      options: field.options.slice(0, limits.selectOptions).map((option) => ({
        text: plainText(option.label, limits.optionText),
        value: option.value,
      })),
    };
  }
  const maxLength = Math.min(
    field.maxLength ?? limits.plainTextInputMaxLength,
    limits.plainTextInputMaxLength,
  );
  return {
    type: 'plain_text_input',
    action_id: blockIdOf(field.id),
    multiline: field.kind === 'textarea',
    max_length: maxLength,
  };
}

function inputBlock(field: FormField): InputBlock {
  const block: InputBlock = {
    type: 'input',
    block_id: blockIdOf(field.id),
    optional: !field.required,
    label: plainText(field.label, limits.inputLabel),
    element: inputElement(field),
  };
  if (field.hint !== null) block.hint = plainText(field.hint, limits.inputHint);
  return block;
}

/** The place a form was opened from: the channel, and the thread when the clicked card was a reply. */
export interface FormOrigin {
  channel: string;
  threadTs: string | null;
}

const formMetadataSchema = z.strictObject({
  click: actionPayloadSchema,
  channel: z.string().min(1).max(100),
  threadTs: z.string().min(1).max(100).nullable(),
});

/**
 * Encodes a modal's `private_metadata`: the action payload alone, or with an origin the payload and
 * the channel and thread, so that a refusal after the submission can be posted where the person
 * clicked.
 */
function encodeFormMetadata(payload: ActionPayload, origin: FormOrigin | null): string {
  if (origin === null) return encodeActionPayload(payload);
  return JSON.stringify({ click: payload, channel: origin.channel, threadTs: origin.threadTs });
}

function parseFormMetadata(
  metadata: string,
): { payload: ActionPayload; origin: FormOrigin | null } | null {
  const payload = parseActionPayload(metadata);
  if (payload !== null) return { payload, origin: null };

  let value: unknown;
  try {
    value = JSON.parse(metadata);
  } catch {
    return null;
  }
  const parsed = formMetadataSchema.safeParse(value);
  if (!parsed.success) return null;
  const { click, channel, threadTs } = parsed.data;
  return { payload: click, origin: { channel, threadTs } };
}

/**
 * Renders a form as a modal for `views.open`; the submission comes back as `view_submission`. With
 * an origin, the submission also carries the channel and thread the form was opened from.
 */
export function renderFormModal(form: FormView, origin: FormOrigin | null = null): ModalView {
  return {
    type: 'modal',
    callback_id: callbackIdOf(form.event),
    private_metadata: encodeFormMetadata(form.payload, origin),
    title: plainText(form.title, limits.modalTitle),
    submit: plainText(form.submitLabel, limits.modalButton),
    close: plainText(form.cancelLabel, limits.modalButton),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(form.intro, limits.sectionText) } },
      ...form.fields.map(inputBlock),
    ],
  };
}

/** A submitted case form: the event, what the click carried, and the values per field id. */
export interface FormSubmission {
  event: ButtonEventType;
  payload: ActionPayload;
  /** The place the form was opened from; absent when the modal was rendered without an origin. */
  origin?: FormOrigin;
  /** The submitting Slack user's id, to resolve to a person. */
  userId: string;
  /** Each input's value; null when the person left it empty. */
  values: Record<string, string | null>;
}

const stateValueSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
});

const viewSubmissionSchema = z.looseObject({
  type: z.literal('view_submission'),
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), stateValueSchema)),
    }),
  }),
});

function invalidSubmission(reason: string): CasebridgeError {
  return new CasebridgeError(
    'PAYLOAD_INVALID',
    `Slack view_submission is not a Casebridge case form: ${reason}.`,
  );
}

/**
 * Parses a `view_submission` payload of a case form into its event, action payload and field
 * values. Throws PAYLOAD_INVALID when the payload is not a submission of a form that
 * `renderFormModal` built.
 */
export function parseViewSubmission(body: unknown): FormSubmission {
  const parsed = viewSubmissionSchema.safeParse(body);
  if (!parsed.success) throw invalidSubmission(z.prettifyError(parsed.error));

  const { view } = parsed.data;
  const event = view.callback_id.startsWith(callbackIdPrefix)
    ? view.callback_id.slice(callbackIdPrefix.length)
    : null;
  if (!isButtonEventType(event)) {
    throw invalidSubmission(`callback_id "${truncate(view.callback_id, 80)}" names no case event`);
  }
  const metadata = parseFormMetadata(view.private_metadata);
  if (metadata === null) throw invalidSubmission('private_metadata is not an action payload');

  const values: Record<string, string | null> = {};
  for (const [blockId, actions] of Object.entries(view.state.values)) {
    // Each input block of a case form holds one element.
    const state = Object.values(actions)[0];
    if (state === undefined) continue;
    values[blockId] = state.selected_option?.value ?? state.value ?? null;
  }
  const submission: FormSubmission = {
    event,
    payload: metadata.payload,
    userId: parsed.data.user.id,
    values,
  };
  if (metadata.origin !== null) submission.origin = metadata.origin;
  return submission;
}

/** The acknowledgement body of a `view_submission` that shows errors under the inputs. */
export interface ResponseActionErrors {
  response_action: 'errors';
  /** Error messages keyed by the `block_id` of an input block. */
  errors: Record<string, string>;
}

/** Builds the `response_action: 'errors'` acknowledgement from error messages keyed by field id. */
export function formErrorsResponse(errors: Record<string, string>): ResponseActionErrors {
  const byBlock: Record<string, string> = {};
  for (const [fieldId, message] of Object.entries(errors)) byBlock[blockIdOf(fieldId)] = message;
  return { response_action: 'errors', errors: byBlock };
}
