import type { App, types, webApi } from '@slack/bolt';
import { z } from 'zod';
import { loadCase } from '../../../cases/load-case.ts';
import { describeError } from '../../../describe-error.ts';
import { type CasebridgeError, isCasebridgeError } from '../../../errors.ts';
import { findGrants } from '../../../people/find-person.ts';
import { decideReveal } from '../../../privacy/decide-reveal.ts';
import { MAX_REVEAL_REASON, requestReveal } from '../../../privacy/request-reveal.ts';
import { actionDeliveryKey, claimDelivery, viewDeliveryKey } from '../../deliveries.ts';
import { type ChatPerson, identifyChatUser } from '../../identity.ts';
import { type Locale, t } from '../../messages/index.ts';
import { type Refusal, refusalForError, renderRefusal } from '../../refusal.ts';
import { identityRefusalText } from '../../refusal-text.ts';
import { parseRevealActionId } from '../blocks.ts';
import type { SlackListenerDeps } from '../deps.ts';
import { blockKitLimits as limits, truncate } from '../limits.ts';
import { type ReplyTarget, replyOnFailure, sendPrivateReply } from '../private-reply.ts';

/** The `callback_id` of the modal that requests the reason of a reveal request. */
export const revealFormCallbackId = 'reveal-form:request';
/** The block and action ids of the reason input of that modal. */
export const revealReasonBlockId = 'reveal-reason';
const reasonActionId = 'value';

const clickSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  team: z.looseObject({ id: z.string() }).nullish(),
  channel: z.looseObject({ id: z.string() }).nullish(),
  container: z
    .looseObject({ channel_id: z.string().optional(), thread_ts: z.string().optional() })
    .nullish(),
});

const buttonSchema = z.looseObject({
  type: z.literal('button'),
  action_id: z.string(),
  action_ts: z.string().min(1),
  value: z.string().min(1).max(100),
});

/** The case and the place of the click, carried by the reason modal to its submission. */
const metadataSchema = z.strictObject({
  caseId: z.string().min(1).max(100),
  channel: z.string().nullable(),
  threadTs: z.string().nullable(),
});

const submissionSchema = z.looseObject({
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({
    id: z.string().min(1),
    private_metadata: z.string(),
    state: z.looseObject({
      values: z.record(
        z.string(),
        z.record(z.string(), z.looseObject({ value: z.string().nullish() })),
      ),
    }),
  }),
});

/**
 * Registers the identity reveal buttons (`action_id` `reveal:request|approve|reject`) and the
 * reason modal of a request. The privacy functions check who may act; their refusals come back
 * as private replies.
 */
export function registerRevealListeners(app: App, deps: SlackListenerDeps): void {
  app.action(/^reveal:/, async ({ ack, body, action, client }) => {
    await ack();
    const parsed = clickSchema.safeParse(body);
    const button = buttonSchema.safeParse(action);
    const kind = button.success ? parseRevealActionId(button.data.action_id) : null;
    if (!parsed.success || !button.success || kind === null) {
      deps.logger.warn({ platform: 'slack' }, 'slack reveal button payload ignored');
      return;
    }
    const { user, team, channel, container } = parsed.data;
    const target: ReplyTarget = {
      userId: user.id,
      channel: container?.channel_id ?? channel?.id ?? null,
      threadTs: container?.thread_ts ?? null,
    };
    const key = actionDeliveryKey({
      teamId: team?.id ?? null,
      userId: user.id,
      actionId: button.data.action_id,
      actionTs: button.data.action_ts,
    });
    const caseId = button.data.value;

    await replyOnFailure(deps, client, target, async () => {
      if (!(await claimDelivery(deps.db, key))) return;
      const identity = await identifyChatUser(deps, user.id);
      if (identity.kind !== 'person') {
        const text = identityRefusalText(identity, deps.defaultLocale ?? 'en');
        await sendPrivateReply(client, target, text, deps.logger);
        return;
      }
      if (kind === 'request') {
        await openReasonForm(deps, client, {
          caseId,
          person: identity,
          target,
          triggerId: parsed.data.trigger_id,
        });
        return;
      }
      await decide(deps, client, target, identity, caseId, kind);
    });
  });

  app.view(
    { type: 'view_submission', callback_id: revealFormCallbackId },
    async ({ ack, body, client }) => {
      const parsed = submissionSchema.safeParse(body);
      const metadata = parsed.success ? parseMetadata(parsed.data.view.private_metadata) : null;
      if (!parsed.success || metadata === null) {
        await ack();
        deps.logger.warn({ platform: 'slack' }, 'slack reveal form submission ignored');
        return;
      }
      const { values } = parsed.data.view.state;
      const reason = values[revealReasonBlockId]?.[reasonActionId]?.value?.trim() ?? '';
      const locale = deps.defaultLocale ?? 'en';
      if (reason === '' || reason.length > MAX_REVEAL_REASON) {
        const problem =
          reason === ''
            ? t(locale, 'form.error.required')
            : t(locale, 'form.error.tooLong', { max: MAX_REVEAL_REASON });
        await ack({ response_action: 'errors', errors: { [revealReasonBlockId]: problem } });
        return;
      }
      await ack();

      const userId = parsed.data.user.id;
      const target: ReplyTarget = {
        userId,
        channel: metadata.channel,
        threadTs: metadata.threadTs,
      };
      await replyOnFailure(deps, client, target, async () => {
        const key = viewDeliveryKey(parsed.data.view.id, values);
        if (!(await claimDelivery(deps.db, key))) return;
        const identity = await identifyChatUser(deps, userId);
        if (identity.kind !== 'person') {
          await sendPrivateReply(
            client,
            target,
            identityRefusalText(identity, locale),
            deps.logger,
          );
          return;
        }
        try {
          await requestReveal(deps, {
            caseRef: metadata.caseId,
            actorEmail: identity.email,
            reason,
          });
        } catch (error) {
          if (!isCasebridgeError(error)) throw error;
          deps.logger.info(
            { caseId: metadata.caseId, code: error.code },
            'slack identity reveal request rejected',
          );
          const text = refusalText(error, identity.locale, metadata.caseId, {
            kind: 'roleRequired',
            roles: ['security'],
          });
          await sendPrivateReply(client, target, text, deps.logger);
        }
      });
    },
  );
}

async function openReasonForm(
  deps: SlackListenerDeps,
  client: webApi.WebClient,
  click: { caseId: string; person: ChatPerson; target: ReplyTarget; triggerId: string },
): Promise<void> {
  const { person, target } = click;
  // The role is checked before the form opens, so that nobody writes a reason for nothing.
  // requestReveal checks it again when the form comes back.
  const grants = await findGrants(deps.db, person.email);
  if (!grants.includes('security')) {
    const text = renderRefusal({ kind: 'roleRequired', roles: ['security'] }, person.locale);
    await sendPrivateReply(client, target, text, deps.logger);
    return;
  }
  let caseKey: string;
  try {
    caseKey = (await loadCase(deps.db, click.caseId)).key;
  } catch (error) {
    if (!isCasebridgeError(error)) throw error;
    await sendPrivateReply(
      client,
      target,
      refusalText(error, person.locale, click.caseId),
      deps.logger,
    );
    return;
  }

  const locale = person.locale;
  const metadata: z.infer<typeof metadataSchema> = {
    caseId: click.caseId,
    channel: target.channel,
    threadTs: target.threadTs,
  };
  const view: types.ModalView = {
    type: 'modal',
    callback_id: revealFormCallbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(t(locale, 'reveal.form.title'), limits.modalTitle),
    submit: plain(t(locale, 'reveal.form.submit'), limits.modalButton),
    close: plain(t(locale, 'form.cancel'), limits.modalButton),
    blocks: [
      {
        type: 'section',
        text: { type: 'plain_text', text: t(locale, 'reveal.form.intro', { key: caseKey }) },
      },
      {
        type: 'input',
        block_id: revealReasonBlockId,
        label: plain(t(locale, 'reveal.form.reason'), limits.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: reasonActionId,
          multiline: true,
          max_length: MAX_REVEAL_REASON,
        },
      },
    ],
  };
  try {
    await client.views.open({ trigger_id: click.triggerId, view });
  } catch (error) {
    // A trigger_id expires 3 seconds after the click; the person can click again.
    deps.logger.warn({ err: describeError(error) }, 'slack reveal form not opened');
  }
}

async function decide(
  deps: SlackListenerDeps,
  client: webApi.WebClient,
  target: ReplyTarget,
  person: ChatPerson,
  caseId: string,
  kind: 'approve' | 'reject',
): Promise<void> {
  try {
    await decideReveal(
      {
        db: deps.db,
        logger: deps.logger,
        revealHours: deps.revealHours ?? 24,
        ...(deps.now === undefined ? {} : { now: deps.now }),
      },
      { caseRef: caseId, actorEmail: person.email, decision: kind },
    );
  } catch (error) {
    if (!isCasebridgeError(error)) throw error;
    // decideReveal rejects a person without the hr or privacy grant, and also a decider who
    // requested the reveal or is its subject. The grants tell the two cases apart.
    deps.logger.info(
      { caseId, code: error.code, decision: kind },
      'slack identity reveal decision rejected',
    );
    let text = refusalText(error, person.locale, caseId, { kind: 'roleRequired', roles: ['hr'] });
    if (error.code === 'NOT_AUTHORIZED') {
      const grants = await findGrants(deps.db, person.email);
      if (grants.includes('hr') || grants.includes('privacy')) {
        text = t(person.locale, 'reveal.refusedOwnRequest');
      }
    }
    await sendPrivateReply(client, target, text, deps.logger);
  }
}

/** Renders a rejection by the privacy functions in the person's language. */
function refusalText(
  error: CasebridgeError,
  locale: Locale,
  caseRef: string,
  notAuthorized: Refusal = { kind: 'failed' },
): string {
  const key = typeof error.details.case === 'string' ? error.details.case : caseRef;
  switch (error.code) {
    case 'NOT_AUTHORIZED':
      return renderRefusal(notAuthorized, locale);
    case 'ALREADY_DECIDED':
      return t(locale, 'reveal.refusedOpen', { key });
    case 'REVEAL_NOT_FOUND':
      return t(locale, 'reveal.refusedNone', { key });
    case 'EVENT_INVALID':
      return t(locale, 'reveal.refusedReason', { problem: error.message });
    default:
      return renderRefusal(refusalForError(error) ?? { kind: 'failed' }, locale);
  }
}

function parseMetadata(json: string): z.infer<typeof metadataSchema> | null {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}
