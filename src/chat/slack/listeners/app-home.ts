import type { App, types } from '@slack/bolt';
import { z } from 'zod';
import { listPendingCases } from '../../../cases/pending-cases.ts';
import { describeError } from '../../../describe-error.ts';
import { claimDelivery, eventDeliveryKey } from '../../deliveries.ts';
import { identifyChatUser } from '../../identity.ts';
import { identityRefusalText } from '../../refusal-text.ts';
import { renderTextMessage } from '../blocks.ts';
import type { SlackListenerDeps } from '../deps.ts';
import { renderHomeView, renderPendingBlocks } from '../pending-view.ts';

const homeOpenedSchema = z.looseObject({
  event_id: z.string().min(1),
  event: z.looseObject({
    type: z.literal('app_home_opened'),
    user: z.string().min(1),
    tab: z.string().optional(),
  }),
});

/** Registers the App Home tab: each time a person opens it, it lists the cases waiting for them. */
export function registerAppHome(app: App, deps: SlackListenerDeps): void {
  app.event('app_home_opened', async ({ body, client }) => {
    const parsed = homeOpenedSchema.safeParse(body);
    // The event also fires for the Messages tab, which has no view to publish.
    if (!parsed.success || parsed.data.event.tab !== 'home') return;
    const userId = parsed.data.event.user;
    try {
      if (!(await claimDelivery(deps.db, eventDeliveryKey(parsed.data.event_id)))) return;
      const view = await homeViewFor(deps, userId);
      await client.views.publish({ user_id: userId, view });
    } catch (error) {
      // The tab keeps its last view; Slack sends the event again the next time it is opened.
      deps.logger.error(
        { err: describeError(error), platform: 'slack' },
        'slack home tab could not be published',
      );
    }
  });
}

async function homeViewFor(deps: SlackListenerDeps, userId: string): Promise<types.HomeView> {
  const identity = await identifyChatUser(deps, userId);
  if (identity.kind !== 'person') {
    const locale = deps.defaultLocale ?? 'en';
    const { text } = renderTextMessage(identityRefusalText(identity, locale));
    return renderHomeView([{ type: 'section', text: { type: 'mrkdwn', text } }], locale);
  }

  const pending = await listPendingCases(deps.db, identity);
  return renderHomeView(renderPendingBlocks(pending, identity.locale), identity.locale);
}
