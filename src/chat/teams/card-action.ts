import type { AdaptiveCardActionResponse } from '@microsoft/teams.api';
import { z } from 'zod';
import { describeError } from '../../describe-error.ts';
import { type ActionPayload, actionPayloadSchema, isButtonEventType } from '../action-payload.ts';
import { type Audience, audiences } from '../actions.ts';
import { claimDelivery } from '../deliveries.ts';
import { fieldSpecs, validateFormValues } from '../forms.ts';
import { type ChatIdentity, type ChatPerson, identifyChatUser } from '../identity.ts';
import { loadCaseView } from '../load-case-view.ts';
import type { Locale } from '../messages/index.ts';
import { renderRefusal } from '../refusal.ts';
import { failureText, refusalText } from '../refusal-text.ts';
import { inputIdOf, refreshVerb, renderCaseCard, renderMessageCard, verbPrefix } from './cards.ts';
import type { TeamsListenerDeps } from './deps.ts';

/** The parts of an `adaptiveCard/action` invoke activity that a case action needs. */
const cardActionSchema = z.looseObject({
  id: z.string().min(1),
  from: z.looseObject({ id: z.string().min(1), aadObjectId: z.string().min(1).optional() }),
  conversation: z.looseObject({ id: z.string().min(1) }),
  value: z.looseObject({
    action: z.looseObject({
      verb: z.string().min(1),
      data: z.record(z.string(), z.unknown()).default({}),
    }),
  }),
});
export type CardActionActivity = z.infer<typeof cardActionSchema>;

const audienceSchema = z.enum(audiences);

/** Looks up the e-mail address of a member of the conversation the click came from. */
export type MemberLookup = (conversationId: string, userId: string) => Promise<string | null>;

/**
 * Builds the response to an `adaptiveCard/action` invoke. After a decision it is the case card as it is
 * now. A refused or failed click gets the current card with the reason above it, or a card with
 * only the reason when the case cannot be shown. A redelivered activity (same id) is not applied
 * again, and gets the current card.
 */
export async function answerCardAction(
  deps: TeamsListenerDeps,
  body: unknown,
  lookupMember: MemberLookup,
): Promise<AdaptiveCardActionResponse> {
  try {
    return await cardActionResponse(deps, body, lookupMember);
  } catch (error) {
    // Reached when the database is unreachable, before anything was written: the person may retry.
    deps.logger.error({ err: describeError(error), platform: 'teams' }, 'teams card action failed');
    return messageCard(failureText(deps.defaultLocale ?? 'en'));
  }
}

async function cardActionResponse(
  deps: TeamsListenerDeps,
  body: unknown,
  lookupMember: MemberLookup,
): Promise<AdaptiveCardActionResponse> {
  const locale = deps.defaultLocale ?? 'en';
  const parsed = cardActionSchema.safeParse(body);
  if (!parsed.success || !parsed.data.value.action.verb.startsWith(verbPrefix)) {
    deps.logger.warn({ platform: 'teams' }, 'teams card action ignored: not a case action');
    return messageCard(failureText(locale));
  }
  const activity = parsed.data;
  const { verb, data } = activity.value.action;
  const audience = audienceSchema.safeParse(data.audience);
  const caseId = typeof data.caseId === 'string' ? data.caseId : null;
  if (!audience.success || caseId === null) return messageCard(failureText(locale));

  const identity = await identifyChatUser(
    {
      db: deps.db,
      port: {
        platform: 'teams',
        resolveUser: () => lookupMember(activity.conversation.id, activity.from.id),
      },
      ...(deps.now === undefined ? {} : { now: deps.now }),
    },
    activity.from.aadObjectId ?? activity.from.id,
  );
  if (identity.kind !== 'person') {
    return messageCard(identityRefusalText(identity, locale));
  }

  if (verb === refreshVerb) return currentCard(deps, caseId, audience.data, identity, []);

  if (!(await claimDelivery(deps.db, `teams:activity:${activity.id}`))) {
    deps.logger.info({ platform: 'teams', verb }, 'teams card action already handled');
    return currentCard(deps, caseId, audience.data, identity, []);
  }
  return applyCardAction(deps, activity, audience.data, identity);
}

async function applyCardAction(
  deps: TeamsListenerDeps,
  activity: CardActionActivity,
  audience: Audience,
  person: ChatPerson,
): Promise<AdaptiveCardActionResponse> {
  const { verb, data } = activity.value.action;
  const event = verb.slice(verbPrefix.length);
  const payload = parsePayload(data);
  if (!isButtonEventType(event) || payload === null) {
    deps.logger.warn({ platform: 'teams', verb }, 'teams card action ignored: invalid payload');
    return messageCard(failureText(person.locale));
  }

  let body: Record<string, unknown> & { type: typeof event } = { type: event };
  if (fieldSpecs(event).length > 0) {
    const values: Record<string, string> = {};
    for (const spec of fieldSpecs(event)) {
      const value = data[inputIdOf(event, spec.id)];
      if (typeof value === 'string') values[spec.id] = value;
    }
    const validation = validateFormValues(event, payload, values, person.locale);
    if (!validation.ok) {
      return currentCard(deps, payload.caseId, audience, person, Object.values(validation.errors));
    }
    body = validation.body;
  }

  try {
    await deps.act({
      caseRef: payload.caseId,
      actorEmail: person.email,
      event: body,
      expectedState: payload.expectedState,
    });
  } catch (error) {
    const text = refusalText(error, { event, roles: person.roles }, person.locale);
    if (text === null) {
      deps.logger.error(
        { err: describeError(error), event, platform: 'teams' },
        'teams action failed',
      );
    }
    return currentCard(deps, payload.caseId, audience, person, [
      text ?? failureText(person.locale),
    ]);
  }
  return currentCard(deps, payload.caseId, audience, person, []);
}

/** Picks the action payload out of the action data, which also carries the audience and inputs. */
function parsePayload(data: Record<string, unknown>): ActionPayload | null {
  const { caseId, version, expectedState, hold } = data;
  const candidate =
    hold === undefined
      ? { caseId, version, expectedState }
      : { caseId, version, expectedState, hold };
  const parsed = actionPayloadSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/**
 * Renders the case card of the audience as it is now, with `notices` above it. The buttons are
 * shown only to a person who may act for the audience; the others get the read-only card.
 */
async function currentCard(
  deps: TeamsListenerDeps,
  caseId: string,
  audience: Audience,
  person: ChatPerson,
  notices: string[],
): Promise<AdaptiveCardActionResponse> {
  let view: Awaited<ReturnType<typeof loadCaseView>>;
  try {
    // The card replaces the thread's card, so it shows a live reveal as the outbox's card does.
    view = await loadCaseView(deps.db, deps.pseudonymKey, caseId, audience, person.locale, {
      includeReveal: true,
    });
  } catch (error) {
    deps.logger.warn({ err: describeError(error), platform: 'teams' }, 'teams card not loaded');
    return messageCard(notices[0] ?? failureText(person.locale));
  }

  const mayAct = audience === 'manager' || person.roles.includes(audience);
  const card = renderCaseCard(
    { ...view, banners: [...notices, ...view.banners] },
    { readOnly: !mayAct, locale: person.locale },
  );
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

function messageCard(text: string): AdaptiveCardActionResponse {
  return {
    statusCode: 200,
    type: 'application/vnd.microsoft.card.adaptive',
    value: renderMessageCard(text),
  };
}

/** Words why a Teams user who is not a directory person cannot act. */
export function identityRefusalText(
  identity: Exclude<ChatIdentity, { kind: 'person' }>,
  locale: Locale,
): string {
  if (identity.kind === 'noEmail') {
    return renderRefusal({ kind: 'noEmail', platform: 'teams' }, locale);
  }
  return renderRefusal({ kind: 'unknownEmail', platform: 'teams', email: identity.email }, locale);
}
