import { type ActivityParams, Client, type TeamsChannelAccount } from '@microsoft/teams.api';
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
import { type CaseCardOptions, renderCaseCard } from './cards.ts';

/** The SDK's HTTP client (or its options), as `new Client(serviceUrl, http)` accepts it. */
export type TeamsHttpClient = NonNullable<ConstructorParameters<typeof Client>[1]>;

export interface TeamsPortOptions {
  /**
   * The Bot Framework service URL of the tenant's Teams region, as the activities' `serviceUrl`
   * carries it (`https://smba.trafficmanager.net/emea/`). A trailing `/` is removed.
   */
  serviceUrl: string;
  /** The HTTP client that adds the bot's token: `app.api.http` of the Teams SDK app. */
  http: TeamsHttpClient;
  /** The Entra tenant id, required to create conversations. */
  tenantId: string;
  /**
   * Conversations whose rosters list the users of the organisation, usually the routed channels.
   * `resolveUser` searches them because it is not told which conversation the user is in.
   */
  rosterConversations?: readonly string[];
  /**
   * Returns the Entra object id of a person from their e-mail address. When it is not given or
   * returns null, the e-mail address is sent as the user principal name.
   */
  findObjectId?: (email: string) => Promise<string | null>;
  /** Options of every case card, such as the locale of its input errors. */
  cardOptions?: CaseCardOptions;
  /**
   * Returns the Teams user ids of a channel's members who may act for an audience, or null when
   * there are more than a card's refresh can name (60). With it, a channel card is posted read-only
   * and those people's clients fetch their own view with buttons; without it, or on null, the card
   * carries the audience's buttons for everyone and each click is checked.
   */
  refreshUsers?: (channel: string, audience: CaseView['audience']) => Promise<string[] | null>;
}

/** Members per `pagedMembers` page; the connector accepts 50 to 500. */
const membersPageSize = 500;

/**
 * Conversation ids of 1:1 chats start with `a:`, and channel and group chat ids with `19:`.
 * NOTE: the prefix is how Teams writes ids today, not a documented contract.
 */
function isPersonalConversation(conversationId: string): boolean {
  return conversationId.startsWith('a:');
}

/** Returns the conversation id of a channel's reply chain, which Teams writes with the root's id. */
export function replyChainId(channel: string, rootId: string): string {
  return `${channel};messageid=${rootId}`;
}

/**
 * The chat port on Microsoft Teams, over the Bot Framework connector REST API of the Teams SDK
 * `Client`. A case thread is a channel reply chain, and the manager's notice is a 1:1 chat. Errors
 * are thrown as the SDK's HTTP client raised them (axios errors with `status` and
 * `response.headers['retry-after']`), so that the outbox worker can tell 429, 412, 502 and 504 from
 * a permanent failure.
 */
export class TeamsChatPort implements ChatPort {
  readonly platform = 'teams' as const;
  readonly serviceUrl: string;

  private readonly client: Client;

  constructor(private readonly options: TeamsPortOptions) {
    this.serviceUrl = options.serviceUrl.replace(/\/+$/, '');
    this.client = new Client(this.serviceUrl, options.http);
  }

  /** Starts a reply chain in a channel with the card, or posts the card into a thread. */
  async postCard(target: ChannelRef | ThreadRef, view: CaseView): Promise<MessageRef> {
    const activity = cardActivity(view, await this.channelCardOptions(target.channel, view));
    if (isThreadRef(target)) return this.postInThread(target, activity);

    const created = await this.client.conversations.create({
      isGroup: true,
      tenantId: this.options.tenantId,
      channelData: { channel: { id: target.channel }, tenant: { id: this.options.tenantId } },
      activity,
    });
    if (!created.activityId) throw missingField('POST /v3/conversations', 'activityId');
    return {
      platform: 'teams',
      channel: target.channel,
      messageId: created.activityId,
      threadRootId: null,
    };
  }

  async updateCard(message: MessageRef, view: CaseView): Promise<void> {
    await this.client.conversations.updateActivity(
      conversationOf(message),
      message.messageId,
      cardActivity(view, await this.channelCardOptions(message.channel, view)),
    );
  }

  /** The card options for a channel: read-only with a refresh for the people who may act, when known. */
  private async channelCardOptions(
    channel: string,
    view: CaseView,
  ): Promise<CaseCardOptions | undefined> {
    if (this.options.refreshUsers === undefined || isPersonalConversation(channel))
      return this.options.cardOptions;
    const userIds = await this.options.refreshUsers(channel, view.audience);
    if (userIds === null) return this.options.cardOptions;
    return { ...this.options.cardOptions, readOnly: true, refreshUserIds: userIds };
  }

  /** Lists a channel's members with their Teams user ids and e-mail addresses (null when hidden). */
  async channelRoster(channel: string): Promise<Array<{ id: string; email: string | null }>> {
    const roster: Array<{ id: string; email: string | null }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.conversations.getPagedMembers(channel, membersPageSize, token);
      for (const member of page.members)
        roster.push({ id: member.id, email: emailOf(member)?.toLowerCase() ?? null });
      token = page.continuationToken || undefined;
    } while (token !== undefined);
    return roster;
  }

  async reply(thread: ThreadRef, text: string): Promise<MessageRef> {
    return this.postInThread(thread, textActivity(text));
  }

  /** Starts a reply chain in a channel with the text. */
  async postText(channel: ChannelRef, text: string): Promise<MessageRef> {
    const created = await this.client.conversations.create({
      isGroup: true,
      tenantId: this.options.tenantId,
      channelData: { channel: { id: channel.channel }, tenant: { id: this.options.tenantId } },
      activity: textActivity(text),
    });
    if (!created.activityId) throw missingField('POST /v3/conversations', 'activityId');
    return {
      platform: 'teams',
      channel: channel.channel,
      messageId: created.activityId,
      threadRootId: null,
    };
  }

  /**
   * Opens the 1:1 chat with the person and posts there. The connector returns 403 when the app is
   * not installed for the person, and that error is thrown as it is.
   */
  async directMessage(personEmail: string, content: CaseView | string): Promise<MessageRef> {
    // NOTE: without findObjectId the e-mail address is sent as the UPN. That is untested against
    // the real connector, and cannot work for people whose UPN differs from their e-mail address.
    const objectId = (await this.options.findObjectId?.(personEmail)) ?? null;
    const created = await this.client.conversations.create({
      isGroup: false,
      tenantId: this.options.tenantId,
      members: [{ id: objectId ?? personEmail, role: 'user', name: '' }],
      channelData: { tenant: { id: this.options.tenantId } },
    });
    if (!created.id) throw missingField('POST /v3/conversations', 'id');

    const activity =
      typeof content === 'string'
        ? textActivity(content)
        : cardActivity(content, this.options.cardOptions);
    const sent = await this.client.conversations.createActivity(created.id, activity);
    return { platform: 'teams', channel: created.id, messageId: sent.id, threadRootId: null };
  }

  /** Teams cards carry their forms as inputs, so there is no form to open after a click. */
  async openForm(_trigger: FormTrigger, form: FormView): Promise<void> {
    throw new Error(`Teams cards carry the form of ${form.event}; openForm is not supported`);
  }

  /**
   * Returns the e-mail address of a Teams user, or their user principal name when Teams has no
   * address. The user is found by `29:` id or Entra object id in the roster conversations.
   * Returns null when no roster lists them.
   */
  async resolveUser(platformUserId: string): Promise<string | null> {
    for (const conversationId of this.options.rosterConversations ?? []) {
      const email = await this.resolveMember(conversationId, platformUserId);
      if (email !== null) return email;
    }
    return null;
  }

  /** Returns the e-mail address of a member of one conversation, or null when it is not a member. */
  async resolveMember(conversationId: string, platformUserId: string): Promise<string | null> {
    let member: TeamsChannelAccount;
    try {
      member = await this.client.conversations.getMemberById(conversationId, platformUserId);
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
    return emailOf(member);
  }

  /**
   * Lists the roster of a channel's team. Teams rosters list people only, so a member without an
   * e-mail address or user principal name is counted as unidentified.
   */
  async channelMembers(channel: ChannelRef): Promise<ChannelMembers> {
    const emails: string[] = [];
    let unidentified = 0;
    let token: string | undefined;
    do {
      const page = await this.client.conversations.getPagedMembers(
        channel.channel,
        membersPageSize,
        token,
      );
      for (const member of page.members) {
        const email = emailOf(member);
        if (email === null) unidentified++;
        else emails.push(email.toLowerCase());
      }
      token = page.continuationToken || undefined;
    } while (token !== undefined);
    return { emails, unidentified };
  }

  private async postInThread(thread: ThreadRef, activity: ActivityParams): Promise<MessageRef> {
    const conversationId = isPersonalConversation(thread.channel)
      ? thread.channel
      : replyChainId(thread.channel, thread.rootId);
    const sent = await this.client.conversations.createActivity(conversationId, activity);
    if (!sent.id) throw missingField('POST /v3/conversations/:id/activities', 'id');
    return {
      platform: 'teams',
      channel: thread.channel,
      messageId: sent.id,
      threadRootId: thread.rootId,
    };
  }
}

/** Returns the conversation a posted message lives in: its reply chain, or its 1:1 chat. */
function conversationOf(message: MessageRef): string {
  if (isPersonalConversation(message.channel)) return message.channel;
  return replyChainId(message.channel, message.threadRootId ?? message.messageId);
}

function cardActivity(view: CaseView, options: CaseCardOptions | undefined): ActivityParams {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: renderCaseCard(view, options),
      },
    ],
  };
}

function textActivity(text: string): ActivityParams {
  return { type: 'message', text, textFormat: 'plain' };
}

/** Returns a member's e-mail address, or the user principal name when Teams gives no address. */
function emailOf(member: TeamsChannelAccount): string | null {
  return member.email || member.userPrincipalName || null;
}

/** Returns the HTTP status of an error of the SDK's HTTP client, or null for other errors. */
export function httpStatusOf(error: unknown): number | null {
  const value = error as { status?: unknown; response?: { status?: unknown } } | null;
  const status = value?.response?.status ?? value?.status;
  return typeof status === 'number' ? status : null;
}

function missingField(request: string, field: string): Error {
  return new Error(`Bot Framework ${request} returned without ${field}`);
}
