import {
  type ActionArray,
  AdaptiveCard,
  type CardElementArray,
  Choice,
  ChoiceSetInput,
  Container,
  ExecuteAction,
  Fact,
  FactSet,
  type IAdaptiveCard,
  type IExecuteAction,
  RefreshDefinition,
  RichTextBlock,
  ShowCardAction,
  TextBlock,
  TextInput,
  TextRun,
} from '@microsoft/teams.cards';
import type { ActionPayload, ButtonEventType } from '../action-payload.ts';
import type { ActionStyle, ActionView, Audience } from '../actions.ts';
import type { FormField, FormView } from '../forms.ts';
import { type Locale, t } from '../messages/index.ts';
import type { CaseView, EvidenceView, ViewField } from '../view-model.ts';

/** The prefix of every case verb; the rest of the verb is the event (`case:ESCALATE`). */
export const verbPrefix = 'case:';
/** The verb of the refresh action, which requests the clicking user's own view of the case. */
export const refreshVerb = 'case:refresh';
/**
 * Teams refreshes a card automatically only for the users listed in `refresh.userIds`, at most 60
 * of them. The others see the card as posted and can refresh it by hand.
 */
export const maxRefreshUserIds = 60;

/** Adaptive Cards 1.5 is the newest schema that Teams renders on desktop, web and mobile. */
const cardVersion = '1.5';

export interface CaseCardOptions {
  /** Leaves the actions out, for a view that the reader cannot act on. */
  readOnly?: boolean;
  /**
   * Teams user ids (`29:…`) whose clients fetch their own view with the refresh action when they
   * open the card. Only the first 60 are kept.
   */
  refreshUserIds?: readonly string[];
  /** The locale of the inputs' error messages, which the view does not carry. Defaults to English. */
  locale?: Locale;
}

/** Returns the verb of a case card's action, which names the event the click sends. */
export function verbOf(event: ButtonEventType): string {
  return `${verbPrefix}${event}`;
}

/**
 * Returns the id of a form input: the event and the field, so that the inputs of two forms on one
 * card never share an id. The action data of a submission carries each input's value under it.
 */
export function inputIdOf(event: ButtonEventType, fieldId: string): string {
  return `${event}.${fieldId}`;
}

/**
 * Renders a case view as an Adaptive Card 1.5: headline, banners, facts, evidence, footer, and one
 * `Action.Execute` per action. An action with a form becomes an `Action.ShowCard` whose card
 * contains the inputs and the `Action.Execute` that submits them.
 *
 * Text that comes from feeds or from people (evidence, summaries, reasons) is rendered as
 * `RichTextBlock` text runs, which Adaptive Cards never read as markdown. NOTE: fact values (state,
 * priority, subject, assignee) stay `Fact`s, which Teams reads as markdown, so an `_` in a name
 * can change its formatting, never the card's actions.
 */
export function renderCaseCard(view: CaseView, options: CaseCardOptions = {}): IAdaptiveCard {
  const body: CardElementArray = [
    new TextBlock(view.headline, { size: 'Large', weight: 'Bolder', wrap: true }),
    ...view.banners.map((banner) => new TextBlock(banner, { wrap: true })),
    ...fieldElements(view.fields),
  ];
  if (view.evidence !== null) body.push(evidenceContainer(view.evidence));
  body.push(new TextBlock(view.footer, { size: 'Small', isSubtle: true, wrap: true }));

  const card = new AdaptiveCard(...body).withVersion(cardVersion).withFallbackText(view.summary);
  const locale = options.locale ?? 'en';
  if (options.readOnly !== true) {
    card.withActions(...view.actions.map((action) => renderAction(action, view.audience, locale)));
  }

  const userIds = (options.refreshUserIds ?? []).slice(0, maxRefreshUserIds);
  if (userIds.length > 0) {
    const refresh = new RefreshDefinition().withAction(refreshAction(view)).withUserIds(...userIds);
    card.withRefresh(refresh);
  }
  return card;
}

/** Renders a one-line card, the response to a click that was refused or failed. */
export function renderMessageCard(text: string): IAdaptiveCard {
  return new AdaptiveCard(new TextBlock(text, { wrap: true }))
    .withVersion(cardVersion)
    .withFallbackText(text);
}

function fieldElements(fields: readonly ViewField[]): CardElementArray {
  const elements: CardElementArray = [];
  const short = fields.filter((field) => !field.long);
  if (short.length > 0) {
    elements.push(new FactSet(...short.map((field) => new Fact(field.label, field.value))));
  }
  for (const field of fields.filter((candidate) => candidate.long)) {
    elements.push(
      new TextBlock(field.label, { weight: 'Bolder', wrap: true }),
      plainText(field.value),
    );
  }
  return elements;
}

/** Renders text verbatim: a text run is never read as markdown, unlike a TextBlock. */
function plainText(
  text: string,
  style: { weight?: 'Bolder'; isSubtle?: boolean } = {},
): RichTextBlock {
  return new RichTextBlock({ inlines: [new TextRun(text, style)], spacing: 'None' });
}

function evidenceContainer(evidence: EvidenceView): Container {
  const items: CardElementArray = [
    new TextBlock(evidence.heading, { weight: 'Bolder', size: 'Medium', wrap: true }),
  ];
  for (const item of evidence.items) {
    items.push(plainText(item.title, { weight: 'Bolder' }));
    items.push(plainText(item.detail));
    if (item.indicators !== null) items.push(plainText(item.indicators, { isSubtle: true }));
  }
  if (evidence.more !== null)
    items.push(new TextBlock(evidence.more, { isSubtle: true, wrap: true }));
  return new Container(...items).withSeparator(true);
}

const actionStyles: Record<ActionStyle, 'default' | 'positive' | 'destructive'> = {
  primary: 'positive',
  danger: 'destructive',
  default: 'default',
};

/**
 * Builds the action that sends an event. Its data is the action payload and the audience of the
 * card, so that the response to the click renders the same audience's view.
 */
function executeAction(
  title: string,
  event: ButtonEventType,
  payload: ActionPayload,
  audience: Audience,
): ExecuteAction {
  return new ExecuteAction({ title })
    .withVerb(verbOf(event))
    .withData({ ...payload, audience })
    .withAssociatedInputs('auto');
}

function renderAction(action: ActionView, audience: Audience, locale: Locale): ActionArray[number] {
  if (action.form === null) {
    return executeAction(action.label, action.event, action.payload, audience).withStyle(
      actionStyles[action.style],
    );
  }
  return new ShowCardAction({
    title: action.label,
    card: renderFormCard(action.form, audience, locale),
  }).withStyle(actionStyles[action.style]);
}

/** Renders a form as the card an `Action.ShowCard` opens: the intro, the inputs, and submit. */
export function renderFormCard(form: FormView, audience: Audience, locale: Locale): IAdaptiveCard {
  return new AdaptiveCard(
    new TextBlock(form.intro, { wrap: true }),
    ...form.fields.flatMap((field) => renderInput(form.event, field, locale)),
  )
    .withVersion(cardVersion)
    .withActions(
      executeAction(form.submitLabel, form.event, form.payload, audience).withStyle('positive'),
    );
}

function renderInput(event: ButtonEventType, field: FormField, locale: Locale): CardElementArray {
  const id = inputIdOf(event, field.id);
  const errorMessage = inputErrorMessage(field, locale);
  const elements: CardElementArray = [];

  if (field.kind === 'select') {
    const input = new ChoiceSetInput(
      ...field.options.map((option) => new Choice({ title: option.label, value: option.value })),
    )
      .withId(id)
      .withLabel(field.label)
      .withStyle('compact')
      .withIsRequired(field.required)
      .withErrorMessage(errorMessage);
    elements.push(input);
  } else {
    const input = new TextInput({ id, label: field.label })
      .withIsMultiline(field.kind === 'textarea')
      .withIsRequired(field.required)
      .withErrorMessage(errorMessage);
    if (field.maxLength !== null) input.withMaxLength(field.maxLength);
    elements.push(input);
  }

  if (field.hint !== null) {
    elements.push(new TextBlock(field.hint, { isSubtle: true, size: 'Small', wrap: true }));
  }
  return elements;
}

/**
 * Returns the message the client shows under an invalid input before it sends anything. The
 * server validates again with the event schema and returns its own worded errors.
 */
function inputErrorMessage(field: FormField, locale: Locale): string {
  if (field.kind === 'select') return t(locale, 'form.error.chooseOption');
  return t(locale, 'form.error.required');
}

function refreshAction(view: CaseView): IExecuteAction {
  return new ExecuteAction({ title: view.headline }).withVerb(refreshVerb).withData({
    caseId: view.caseId,
    audience: view.audience,
  });
}
