import type { App, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { CaseContext } from '../../../../workflows/index.ts';
import { loadCase } from '../../../cases/load-case.ts';
import { describeError } from '../../../describe-error.ts';
import { isCasebridgeError } from '../../../errors.ts';
import type { ButtonEventType } from '../../action-payload.ts';
import { actionDeliveryKey, claimDelivery } from '../../deliveries.ts';
import { buildForm, fieldSpecs } from '../../forms.ts';
import { type ChatPerson, identifyChatUser } from '../../identity.ts';
import { type Locale, t } from '../../messages/index.ts';
import { renderRefusal } from '../../refusal.ts';
import { identityRefusalText } from '../../refusal-text.ts';
import { actAsPerson } from '../act-as-person.ts';
import { type ButtonClick, parseButtonClick } from '../blocks.ts';
import type { SlackListenerDeps } from '../deps.ts';
import { type ReplyTarget, replyOnFailure, sendPrivateReply } from '../private-reply.ts';

/** The parts of a `block_actions` payload a case button needs. */
const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  team: z.looseObject({ id: z.string() }).nullish(),
  channel: z.looseObject({ id: z.string() }).nullish(),
  container: z
    .looseObject({ channel_id: z.string().optional(), thread_ts: z.string().optional() })
    .nullish(),
});

const actionTsSchema = z.looseObject({ action_id: z.string(), action_ts: z.string().min(1) });

/** A click on a case card's button: the button, the person who clicked, and the place. */
export interface CaseButtonClick extends ButtonClick {
  userId: string;
  triggerId: string;
  target: ReplyTarget;
}

/** Registers the listener of every case card button (`action_id` `case:<EVENT>`). */
export function registerCaseButtons(app: App, deps: SlackListenerDeps): void {
  app.action(/^case:/, async ({ ack, body, action, client }) => {
    await ack();

    const parsed = blockActionsSchema.safeParse(body);
    const stamp = actionTsSchema.safeParse(action);
    const click = parseButtonClick(action);
    if (!parsed.success || !stamp.success || click === null) {
      deps.logger.warn(
        { platform: 'slack' },
        'slack case button payload ignored: not a case action',
      );
      return;
    }
    const { user, team, channel, container } = parsed.data;
    const key = actionDeliveryKey({
      teamId: team?.id ?? null,
      userId: user.id,
      actionId: stamp.data.action_id,
      actionTs: stamp.data.action_ts,
    });
    const target: ReplyTarget = {
      userId: user.id,
      channel: container?.channel_id ?? channel?.id ?? null,
      threadTs: container?.thread_ts ?? null,
    };
    // The receipt is claimed inside replyOnFailure, so that a click while the database is down
    // also gets the reply to try again instead of nothing.
    await replyOnFailure(deps, client, target, async () => {
      if (!(await claimDelivery(deps.db, key))) {
        deps.logger.info({ platform: 'slack', event: click.event }, 'slack click already handled');
        return;
      }
      await handleCaseButton(deps, client, {
        ...click,
        userId: user.id,
        triggerId: parsed.data.trigger_id,
        target,
      });
    });
  });
}

/**
 * Handles a case button. A person outside the directory gets a private reply saying so. An event
 * with fields opens its form with the click's payload, and an event without fields is sent at once.
 */
export async function handleCaseButton(
  deps: SlackListenerDeps,
  client: webApi.WebClient,
  click: CaseButtonClick,
): Promise<void> {
  const identity = await identifyChatUser(deps, click.userId);
  if (identity.kind !== 'person') {
    const text = identityRefusalText(identity, deps.defaultLocale ?? 'en');
    await sendPrivateReply(client, click.target, text, deps.logger);
    return;
  }

  if (fieldSpecs(click.event).length > 0) {
    await openCaseForm(deps, client, click, identity);
    return;
  }

  const outcome = await actAsPerson(deps, identity, {
    caseRef: click.payload.caseId,
    event: { type: click.event },
    expectedState: click.payload.expectedState,
  });
  if (!outcome.ok) await sendPrivateReply(client, click.target, outcome.text, deps.logger);
}

async function openCaseForm(
  deps: SlackListenerDeps,
  client: webApi.WebClient,
  click: CaseButtonClick,
  person: ChatPerson,
): Promise<void> {
  let caseKey: string;
  let managerKnown: boolean;
  try {
    const row = await loadCase(deps.db, click.payload.caseId);
    const context = (row.snapshot as { context: CaseContext }).context;
    caseKey = row.key;
    managerKnown = context.subject.managerEmail !== null;
    // A click on an out-of-date card is refused now rather than after the person fills the form;
    // the submission would be refused in the same words.
    const last = context.lastDecision;
    if (row.state !== click.payload.expectedState && last !== null) {
      const refusal = {
        kind: 'alreadyDecided',
        event: last.type,
        actor: last.actor,
        at: last.at,
      } as const;
      await sendPrivateReply(
        client,
        click.target,
        renderRefusal(refusal, person.locale),
        deps.logger,
      );
      return;
    }
  } catch (error) {
    if (!isCasebridgeError(error) || error.code !== 'CASE_NOT_FOUND') throw error;
    const text = renderRefusal(
      { kind: 'caseNotFound', caseKey: click.payload.caseId },
      person.locale,
    );
    await sendPrivateReply(client, click.target, text, deps.logger);
    return;
  }

  // The click's own payload goes into the form, so that a decision on a stale card stays stale.
  const form = buildForm(click.event, click.payload, {
    locale: person.locale,
    caseKey,
    actionLabel: actionLabel(person.locale, click.event, click.payload.hold),
    managerKnown,
  });
  if (form === null) return;

  const origin =
    click.target.channel === null
      ? undefined
      : { channel: click.target.channel, threadTs: click.target.threadTs };
  try {
    await deps.port.openForm({ platform: 'slack', triggerId: click.triggerId }, form, origin);
  } catch (error) {
    // A trigger_id expires 3 seconds after the click; the person can click again.
    deps.logger.warn({ err: describeError(error), event: click.event }, 'slack form not opened');
  }
}

/** Returns the button's label as the card shows it, for the form's intro line. */
function actionLabel(locale: Locale, event: ButtonEventType, hold: boolean | undefined): string {
  if (event === 'LEGAL_HOLD') {
    return t(locale, hold === false ? 'event.releaseLegalHold' : 'event.placeLegalHold');
  }
  return t(locale, `event.${event}`);
}
