import { type types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.ts';
import type { FormView } from '../forms.ts';
import {
  type ChannelMembers,
  type ChannelRef,
  type ChatPort,
  type FormTrigger,
  isThreadRef,
  type MessageRef,
  type ThreadRef,
} from '../port.ts';
import type { CaseView } from '../view-model.ts';
import { renderCaseMessage, renderTextMessage } from './blocks.ts';
import { boltLogger } from './bolt-logger.ts';
import { type FormOrigin, renderFormModal } from './modal.ts';

type WebClient = webApi.WebClient;

export interface SlackClientOptions {
  token: string;
  /** The Web API base URL (`SLACK_API_URL`), for GovSlack and tests; Slack's own when unset. */
  slackApiUrl?: string | undefined;
  logger: Logger;
}

/** How long one Web API call may take before it fails; the caller decides whether to retry. */
const requestTimeoutMs = 10_000;

/**
 * Returns the Web API client options Casebridge uses everywhere. The client makes no retries of its
 * own and rejects rate-limited calls at once, because the outbox worker owns retries and reads
 * `WebAPIRateLimitedError.retryAfter`. Method names never replace the base URL.
 */
export function slackClientOptions(options: Omit<SlackClientOptions, 'token'>) {
  const clientOptions: webApi.WebClientOptions = {
    logger: boltLogger(options.logger),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: requestTimeoutMs,
    allowAbsoluteUrls: false,
  };
  if (options.slackApiUrl !== undefined) clientOptions.slackApiUrl = options.slackApiUrl;
  return clientOptions;
}

export function createSlackClient(options: SlackClientOptions): WebClient {
  return new webApi.WebClient(options.token, slackClientOptions(options));
}

/** Members per `conversations.members` page; Slack accepts up to 1,000 and advises 200. */
const membersPageSize = 200;
/** `users.info` calls in flight at once while listing a channel's members. */
const lookupConcurrency = 5;

/**
 * The chat port on Slack, over the Web API. Every Slack error is thrown as the Web API client
 * raised it (`WebAPIPlatformError`, `WebAPIRateLimitedError`, `WebAPIHTTPError`, …) so that the
 * outbox worker can tell a rate limit from a permanent failure.
 */
export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;

  constructor(readonly client: WebClient) {}

  async postCard(target: ChannelRef | ThreadRef, view: CaseView): Promise<MessageRef> {
    const threadTs = isThreadRef(target) ? target.rootId : null;
    return this.post(target.channel, threadTs, renderCaseMessage(view));
  }

  async updateCard(message: MessageRef, view: CaseView): Promise<void> {
    await this.client.chat.update({
      channel: message.channel,
      ts: message.messageId,
      ...renderCaseMessage(view),
    });
  }

  async reply(thread: ThreadRef, text: string): Promise<MessageRef> {
    return this.post(thread.channel, thread.rootId, renderTextMessage(text));
  }

  async postText(channel: ChannelRef, text: string): Promise<MessageRef> {
    return this.post(channel.channel, null, renderTextMessage(text));
  }

  /**
   * Finds the person's Slack user by e-mail address, opens the direct conversation with them and
   * posts there. Throws the `users_not_found` platform error when no Slack user has the address.
   */
  async directMessage(personEmail: string, content: CaseView | string): Promise<MessageRef> {
    const found = await this.client.users.lookupByEmail({ email: personEmail });
    const userId = found.user?.id;
    if (userId === undefined) throw missingField('users.lookupByEmail', 'user.id');

    const opened = await this.client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (channel === undefined) throw missingField('conversations.open', 'channel.id');

    const message =
      typeof content === 'string' ? renderTextMessage(content) : renderCaseMessage(content);
    return this.post(channel, null, message);
  }

  async openForm(trigger: FormTrigger, form: FormView, origin?: FormOrigin): Promise<void> {
    await this.client.views.open({
      trigger_id: trigger.triggerId,
      view: renderFormModal(form, origin ?? null),
    });
  }

  /** Reads the user's profile e-mail; returns null for bots, deleted users and unknown ids. */
  async resolveUser(platformUserId: string): Promise<string | null> {
    let result: webApi.UsersInfoResponse;
    try {
      result = await this.client.users.info({ user: platformUserId });
    } catch (error) {
      if (isPlatformError(error, 'user_not_found')) return null;
      throw error;
    }
    const user = result.user;
    if (user === undefined || user.is_bot === true || user.deleted === true) return null;
    return user.profile?.email ?? null;
  }

  async channelMembers(channel: ChannelRef): Promise<ChannelMembers> {
    const memberIds: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.members({
        channel: channel.channel,
        limit: membersPageSize,
        ...(cursor === undefined ? {} : { cursor }),
      });
      memberIds.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);

    const emails: string[] = [];
    let unidentified = 0;
    for (let start = 0; start < memberIds.length; start += lookupConcurrency) {
      const batch = memberIds.slice(start, start + lookupConcurrency);
      const members = await Promise.all(batch.map((id) => this.describeMember(id)));
      for (const member of members) {
        if (member.kind === 'person') emails.push(member.email.toLowerCase());
        else if (member.kind === 'unidentified') unidentified++;
      }
    }
    return { emails, unidentified };
  }

  /** Tells a bot or deactivated account from a person, and a person with a visible e-mail address from one without. */
  private async describeMember(
    userId: string,
  ): Promise<
    { kind: 'person'; email: string } | { kind: 'unidentified' } | { kind: 'not-a-person' }
  > {
    let result: webApi.UsersInfoResponse;
    try {
      result = await this.client.users.info({ user: userId });
    } catch (error) {
      if (isPlatformError(error, 'user_not_found')) return { kind: 'not-a-person' };
      throw error;
    }
    const user = result.user;
    if (
      user === undefined ||
      user.is_bot === true ||
      user.deleted === true ||
      userId === 'USLACKBOT'
    ) {
      return { kind: 'not-a-person' };
    }
    const email = user.profile?.email;
    return email === undefined || email === ''
      ? { kind: 'unidentified' }
      : { kind: 'person', email };
  }

  private async post(
    channel: string,
    threadTs: string | null,
    message: { text: string; blocks?: types.KnownBlock[] },
  ): Promise<MessageRef> {
    const result = await this.client.chat.postMessage({
      channel,
      ...message,
      ...(threadTs === null ? {} : { thread_ts: threadTs }),
    } as webApi.ChatPostMessageArguments);
    if (result.ts === undefined) throw missingField('chat.postMessage', 'ts');

    return {
      platform: 'slack',
      channel: result.channel ?? channel,
      messageId: result.ts,
      threadRootId: threadTs,
    };
  }
}

/** Returns whether `error` is the Web API's platform error with the given `error` code. */
export function isPlatformError(error: unknown, code: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === webApi.ErrorCode.PlatformError &&
    (error as { data?: { error?: unknown } }).data?.error === code
  );
}

function missingField(method: string, field: string): Error {
  return new Error(`Slack ${method} returned ok without ${field}`);
}
