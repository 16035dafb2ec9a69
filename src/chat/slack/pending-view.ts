import type { types } from '@slack/bolt';
import type { PendingCase } from '../../cases/pending-cases.ts';
import { formatTime, type Locale, t } from '../messages/index.ts';
import { priorityLabel, stateLabel } from '../messages/labels.ts';
import { blockKitLimits as limits, mrkdwn } from './limits.ts';
import { slackText } from './messages.ts';

type KnownBlock = types.KnownBlock;

/** Renders one pending case as a line of mrkdwn; every value is escaped. */
function pendingLine(item: PendingCase, locale: Locale): string {
  if (item.asManager) {
    const name = item.subjectName ?? t(locale, 'subject.unknown');
    return slackText(locale, 'pending.managerItem', {
      key: mrkdwn(item.key, 100),
      headline: mrkdwn(t(locale, 'manager.headline', { name }), 500),
    });
  }
  return slackText(locale, 'pending.item', {
    key: mrkdwn(item.key, 100),
    state: stateLabel(locale, item.state),
    priority: priorityLabel(locale, item.priority),
    openedAt: formatTime(item.openedAt.toISOString()),
  });
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, limits.sectionText) } };
}

/** Renders the cases waiting for a person as blocks: a heading, one section per case, a count of the rest. */
export function renderPendingBlocks(
  pending: { cases: PendingCase[]; total: number },
  locale: Locale,
): KnownBlock[] {
  if (pending.total === 0) return [section(slackText(locale, 'pending.none'))];

  const heading =
    pending.total === 1
      ? slackText(locale, 'pending.headingOne')
      : slackText(locale, 'pending.heading', { count: pending.total });
  const blocks: KnownBlock[] = [
    section(`*${heading}*`),
    ...pending.cases.map((item) => section(pendingLine(item, locale))),
  ];
  const more = pending.total - pending.cases.length;
  if (more > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: slackText(locale, 'pending.more', { count: more }) }],
    });
  }
  return blocks;
}

/** Returns the plain-text fallback of a pending list, for notifications. */
export function pendingSummary(pending: { total: number }, locale: Locale): string {
  if (pending.total === 0) return slackText(locale, 'pending.none');
  return pending.total === 1
    ? slackText(locale, 'pending.headingOne')
    : slackText(locale, 'pending.heading', { count: pending.total });
}

/** Builds the App Home tab: a header, a hint on where to decide, and `body`. */
export function renderHomeView(body: KnownBlock[], locale: Locale): types.HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: slackText(locale, 'home.title') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackText(locale, 'home.hint') }] },
      { type: 'divider' },
      ...body,
    ],
  };
}
