import type { App } from '@slack/bolt';
import { z } from 'zod';
import { describeError } from '../../../describe-error.ts';
import { isCasebridgeError } from '../../../errors.ts';
import { claimDelivery, viewDeliveryKey } from '../../deliveries.ts';
import { type FormValidation, validateFormValues } from '../../forms.ts';
import { identifyChatUser } from '../../identity.ts';
import { identityRefusalText } from '../../refusal-text.ts';
import { actAsPerson } from '../act-as-person.ts';
import type { SlackListenerDeps } from '../deps.ts';
import { type FormSubmission, formErrorsResponse, parseViewSubmission } from '../modal.ts';
import { type ReplyTarget, replyOnFailure, sendPrivateReply } from '../private-reply.ts';

const submittedViewSchema = z.looseObject({
  view: z.looseObject({ id: z.string().min(1), state: z.looseObject({ values: z.unknown() }) }),
});

/**
 * Registers the listener of case form submissions (`callback_id` `case-form:<EVENT>`). Invalid
 * values get errors inline (`response_action: errors`) and keep the modal open; valid ones
 * close it, and the event is sent after the acknowledgement.
 */
export function registerCaseForms(app: App, deps: SlackListenerDeps): void {
  app.view(
    { type: 'view_submission', callback_id: /^case-form:/ },
    async ({ ack, body, client }) => {
      const locale = deps.defaultLocale ?? 'en';
      let submission: FormSubmission;
      let validation: FormValidation;
      try {
        submission = parseViewSubmission(body);
        validation = validateFormValues(
          submission.event,
          submission.payload,
          submission.values,
          locale,
        );
      } catch (error) {
        if (!isCasebridgeError(error)) throw error;
        await ack();
        deps.logger.warn({ err: describeError(error) }, 'slack form submission ignored');
        return;
      }

      if (!validation.ok) {
        await ack(formErrorsResponse(validation.errors));
        return;
      }
      await ack();

      const submitted = submittedViewSchema.safeParse(body);
      if (!submitted.success) {
        deps.logger.warn({ event: submission.event }, 'slack form submission ignored: no view id');
        return;
      }
      const { id, state } = submitted.data.view;
      const target: ReplyTarget = {
        userId: submission.userId,
        channel: submission.origin?.channel ?? null,
        threadTs: submission.origin?.threadTs ?? null,
      };
      const { body: event } = validation;
      await replyOnFailure(deps, client, target, async () => {
        if (!(await claimDelivery(deps.db, viewDeliveryKey(id, state.values)))) {
          deps.logger.info({ event: submission.event }, 'slack form submission already handled');
          return;
        }

        const identity = await identifyChatUser(deps, submission.userId);
        if (identity.kind !== 'person') {
          await sendPrivateReply(
            client,
            target,
            identityRefusalText(identity, locale),
            deps.logger,
          );
          return;
        }

        const outcome = await actAsPerson(deps, identity, {
          caseRef: submission.payload.caseId,
          event,
          expectedState: submission.payload.expectedState,
        });
        if (!outcome.ok) await sendPrivateReply(client, target, outcome.text, deps.logger);
      });
    },
  );
}
