import { z } from 'zod';
import type { CaseEventType } from '../../../workflows/case-events.ts';
import type { CaseContext } from '../../../workflows/index.ts';
import { loadCase } from '../../cases/load-case.ts';
import { describeError } from '../../describe-error.ts';
import { isCasebridgeError } from '../../errors.ts';
import { isButtonEventType, parseActionPayload } from '../action-payload.ts';
import { claimDelivery } from '../deliveries.ts';
import { buildForm, fieldSpecs, validateFormValues } from '../forms.ts';
import { identifyChatUser } from '../identity.ts';
import { t } from '../messages/index.ts';
import { renderRefusal } from '../refusal.ts';
import { failureText, refusalText } from '../refusal-text.ts';
import type { ConsoleChat } from './console-chat.ts';
import { renderFormPage } from './render-console.ts';

/** The fields every console click sends; the form's own fields come beside them. */
const clickSchema = z.looseObject({
  as: z.email(),
  event: z.string(),
  payload: z.string(),
  channel: z.string().min(1),
  root: z.coerce.number().int().positive(),
  nonce: z.uuid(),
});

const noteSchema = z.object({
  as: z.email(),
  channel: z.string().min(1),
  root: z.coerce.number().int().positive(),
  text: z.string(),
});

export type ConsoleActionResult =
  | { kind: 'redirect'; location: string }
  | { kind: 'form'; page: string };

function backTo(email: string, rootId: number | null): string {
  return `/console?as=${encodeURIComponent(email)}${rootId === null ? '' : `#m-${rootId}`}`;
}

/**
 * Handles a console click or form submission as Slack's listeners do: identify the person, check
 * the form's values (returning the form with errors when they are invalid), apply the event once
 * per click (`nonce`), and explain a refusal in a private reply in the thread.
 */
export async function handleConsoleAction(
  chat: ConsoleChat,
  body: unknown,
): Promise<ConsoleActionResult> {
  const parsed = clickSchema.safeParse(body);
  const payload = parsed.success ? parseActionPayload(parsed.data.payload) : null;
  if (!parsed.success || payload === null || !isButtonEventType(parsed.data.event)) {
    chat.logger.warn({ platform: 'console' }, 'console click ignored: not a case action');
    return { kind: 'redirect', location: '/console' };
  }
  const click = parsed.data;
  const event = parsed.data.event;
  const done = { kind: 'redirect', location: backTo(click.as, click.root) } as const;

  const identity = await identifyChatUser({ db: chat.db, port: chat.port }, click.as);
  if (identity.kind !== 'person') {
    const text = renderRefusal(
      { kind: 'unknownEmail', platform: 'console', email: click.as },
      'en',
    );
    await chat.port.privateReply(click.as, click.channel, click.root, text);
    return done;
  }

  let eventBody: Record<string, unknown> & { type: string } = { type: event };
  if (fieldSpecs(event).length > 0) {
    const values: Record<string, string> = {};
    for (const spec of fieldSpecs(event)) {
      const value = (body as Record<string, unknown>)[spec.id];
      if (typeof value === 'string') values[spec.id] = value;
    }
    const validation = validateFormValues(event, payload, values, identity.locale);
    if (!validation.ok) {
      const row = await loadCase(chat.db, payload.caseId);
      const context = (row.snapshot as { context: CaseContext }).context;
      const form = buildForm(event, payload, {
        locale: identity.locale,
        caseKey: row.key,
        actionLabel:
          event === 'LEGAL_HOLD'
            ? t(
                identity.locale,
                payload.hold === false ? 'event.releaseLegalHold' : 'event.placeLegalHold',
              )
            : t(identity.locale, `event.${event}`),
        managerKnown: context.subject.managerEmail !== null,
      });
      if (form === null) return done;
      const origin = {
        as: identity.email,
        channel: click.channel,
        rootId: click.root,
        messageId: click.root,
      };
      return {
        kind: 'form',
        page: renderFormPage(identity, form, origin, { values, errors: validation.errors }),
      };
    }
    eventBody = validation.body;
  }

  if (!(await claimDelivery(chat.db, `console:click:${click.nonce}`))) {
    chat.logger.info({ platform: 'console', event }, 'console click already handled');
    return done;
  }
  const refusal = await actOrExplain(
    chat,
    identity,
    payload.caseId,
    eventBody,
    payload.expectedState,
  );
  if (refusal !== null)
    await chat.port.privateReply(identity.email, click.channel, click.root, refusal);
  return done;
}

/** Handles a reply in a case thread: a NOTE on the case, shown in the thread once accepted. */
export async function handleConsoleNote(
  chat: ConsoleChat,
  body: unknown,
): Promise<{ location: string }> {
  const parsed = noteSchema.safeParse(body);
  if (!parsed.success) return { location: '/console' };
  const note = parsed.data;
  const location = backTo(note.as, note.root);
  const [root] = await chat.db.query.consoleMessages.findMany({
    where: (messages, { eq }) => eq(messages.id, note.root),
    limit: 1,
  });
  const identity = await identifyChatUser({ db: chat.db, port: chat.port }, note.as);
  if (root?.caseId == null || identity.kind !== 'person') return { location };

  const text = note.text.trim();
  const refusal = await actOrExplain(chat, identity, root.caseId, { type: 'NOTE', text });
  const thread = { platform: 'console', channel: note.channel, rootId: String(note.root) } as const;
  if (refusal === null) await chat.port.postAs(identity.email, thread, text);
  else await chat.port.privateReply(identity.email, note.channel, note.root, refusal);
  return { location };
}

/** Applies the event; returns null when it was accepted, or the text that explains the refusal. */
async function actOrExplain(
  chat: ConsoleChat,
  person: {
    email: string;
    roles: readonly import('../../../workflows/case-events.ts').Role[];
    locale: import('../messages/index.ts').Locale;
  },
  caseRef: string,
  event: Record<string, unknown> & { type: string },
  expectedState?: string,
): Promise<string | null> {
  try {
    await chat.act({
      caseRef,
      actorEmail: person.email,
      event,
      ...(expectedState === undefined ? {} : { expectedState }),
    });
    return null;
  } catch (error) {
    const type = event.type as CaseEventType;
    const text = refusalText(error, { event: type, roles: person.roles }, person.locale);
    if (text !== null) return text;
    if (!isCasebridgeError(error)) {
      chat.logger.error(
        { err: describeError(error), event: type, platform: 'console' },
        'console action failed',
      );
    }
    return failureText(person.locale);
  }
}
