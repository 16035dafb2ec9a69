import type { types } from '@slack/bolt';
import { z } from 'zod';
import {
  type ActionPayload,
  type ButtonEventType,
  encodeActionPayload,
  isButtonEventType,
  parseActionPayload,
} from '../action-payload.ts';
import type {
  ActionView,
  CaseView,
  EvidenceItem,
  RevealActionKind,
  ViewField,
} from '../view-model.ts';
import { blockKitLimits as limits, mrkdwn, truncate } from './limits.ts';

type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type ActionsBlock = types.ActionsBlock;
type Button = types.Button;

/** A case card as the arguments of `chat.postMessage` and `chat.update` need it. */
export interface SlackMessage {
  /** The notification and fallback text. */
  text: string;
  blocks: KnownBlock[];
}

const actionIdPrefix = 'case:';

/** Returns the `action_id` of a case card's button, which names the event the click sends. */
export function actionIdOf(event: ButtonEventType): string {
  return `${actionIdPrefix}${event}`;
}

/** Renders a case view as a Block Kit message within Slack's limits. */
export function renderCaseMessage(view: CaseView): SlackMessage {
  const head: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(view.headline, limits.headerText) },
    },
    ...view.banners.map((banner) => textSection(banner)),
    ...fieldBlocks(view.fields),
  ];
  const tail: KnownBlock[] = [
    ...actionBlocks(view),
    ...revealActionBlocks(view),
    footerBlock(view.footer),
  ];

  const evidence: KnownBlock[] = [];
  if (view.evidence !== null) {
    const budget = limits.messageBlocks - head.length - tail.length;
    evidence.push(...evidenceBlocks(view.evidence, budget));
  }

  return {
    text: mrkdwn(view.summary, limits.messageText),
    blocks: [...head, ...evidence, ...tail],
  };
}

/** Renders a thread reply or direct message of plain text, escaped for mrkdwn. */
export function renderTextMessage(text: string): { text: string } {
  return { text: mrkdwn(text, limits.messageText) };
}

function textSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text, limits.sectionText) } };
}

/** Renders a bold label over its value, escaping both and keeping the whole within `max`. */
function labelled(label: string, value: string, max: number): string {
  const heading = `*${mrkdwn(label, 200)}*\n`;
  return heading + mrkdwn(value, max - heading.length);
}

function fieldBlocks(fields: readonly ViewField[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  const short = fields.filter((field) => !field.long);
  for (let start = 0; start < short.length; start += limits.sectionFields) {
    blocks.push({
      type: 'section',
      fields: short.slice(start, start + limits.sectionFields).map((field) => ({
        type: 'mrkdwn' as const,
        text: labelled(field.label, field.value, limits.sectionFieldText),
      })),
    });
  }
  for (const field of fields.filter((candidate) => candidate.long)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: labelled(field.label, field.value, limits.sectionText) },
    });
  }
  return blocks;
}

function evidenceItemText(item: EvidenceItem): string {
  const lines = [`*${mrkdwn(item.title, 500)}*`, mrkdwn(item.detail, 500)];
  if (item.indicators !== null) lines.push(`_${mrkdwn(item.indicators, 1000)}_`);
  return lines.join('\n');
}

/**
 * Lists the evidence in as few sections as fit: items are packed into sections of at most
 * 3,000 characters, and when the block budget still runs out the last kept section ends with "…".
 */
function evidenceBlocks(evidence: NonNullable<CaseView['evidence']>, budget: number): KnownBlock[] {
  const texts: string[] = [];
  let current = '';
  for (const item of evidence.items) {
    const text = evidenceItemText(item);
    if (current !== '' && current.length + 2 + text.length > limits.sectionText) {
      texts.push(current);
      current = text;
    } else current = current === '' ? text : `${current}\n\n${text}`;
  }
  if (current !== '') texts.push(current);

  const blocks: KnownBlock[] = [
    { type: 'divider' },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${mrkdwn(evidence.heading, limits.sectionText - 2)}*` },
    },
  ];
  const more = evidence.more === null ? [] : [contextBlock(evidence.more)];
  const room = budget - blocks.length - more.length;
  if (room <= 0) return blocks.slice(0, Math.max(0, budget));

  const kept = texts.slice(0, room);
  if (kept.length < texts.length) {
    const last = kept.length - 1;
    kept[last] = `${truncate(kept[last] ?? '', limits.sectionText - 2)}\n…`;
  }
  for (const text of kept) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  return [...blocks, ...more];
}

function contextBlock(text: string): KnownBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: mrkdwn(text, limits.contextText) }],
  };
}

function footerBlock(footer: string): KnownBlock {
  return contextBlock(footer);
}

function button(action: ActionView): Button {
  const element: Button = {
    type: 'button',
    action_id: actionIdOf(action.event),
    text: { type: 'plain_text', text: truncate(action.label, limits.buttonText), emoji: true },
    value: encodeActionPayload(action.payload),
  };
  if (action.style !== 'default') element.style = action.style;
  return element;
}

function actionBlocks(view: CaseView): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  const perBlock = limits.buttonsPerActionsBlock;
  for (let start = 0; start < view.actions.length; start += perBlock) {
    blocks.push({
      type: 'actions',
      // A new block id per version keeps Slack from reusing the state of an older card.
      block_id: `case-actions:${view.version}:${start / perBlock}`,
      elements: view.actions.slice(start, start + perBlock).map(button),
    });
  }
  return blocks;
}

const revealActionPrefix = 'reveal:';

/** Returns the `action_id` of an identity reveal button. */
export function revealActionIdOf(kind: RevealActionKind): string {
  return `${revealActionPrefix}${kind}`;
}

/** Parses the kind out of a reveal button's `action_id`; null for other buttons. */
export function parseRevealActionId(actionId: string): RevealActionKind | null {
  const kind = actionId.slice(revealActionPrefix.length);
  return actionId.startsWith(revealActionPrefix) &&
    (kind === 'request' || kind === 'approve' || kind === 'reject')
    ? kind
    : null;
}

function revealActionBlocks(view: CaseView): ActionsBlock[] {
  const actions = view.revealActions ?? [];
  if (actions.length === 0) return [];
  return [
    {
      type: 'actions',
      block_id: `reveal-actions:${view.version}`,
      elements: actions.map((action) => {
        const element: Button = {
          type: 'button',
          action_id: revealActionIdOf(action.kind),
          text: {
            type: 'plain_text',
            text: truncate(action.label, limits.buttonText),
            emoji: true,
          },
          value: view.caseId,
        };
        if (action.style !== 'default') element.style = action.style;
        return element;
      }),
    },
  ];
}

/** A button click on a case card, as parsed from a `block_actions` payload's action. */
export interface ButtonClick {
  event: ButtonEventType;
  payload: ActionPayload;
}

const buttonActionSchema = z.looseObject({
  type: z.literal('button'),
  action_id: z.string(),
  value: z.string(),
});

/**
 * Parses one element of a `block_actions` payload's `actions`. Returns null when it is not a
 * case card's button or when its value is not an action payload.
 */
export function parseButtonClick(action: unknown): ButtonClick | null {
  const parsed = buttonActionSchema.safeParse(action);
  if (!parsed.success || !parsed.data.action_id.startsWith(actionIdPrefix)) return null;

  const event = parsed.data.action_id.slice(actionIdPrefix.length);
  const payload = parseActionPayload(parsed.data.value);
  if (!isButtonEventType(event) || payload === null) return null;
  if (event === 'LEGAL_HOLD' && payload.hold === undefined) return null;
  return { event, payload };
}
