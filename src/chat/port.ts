import type { FormView } from './forms.ts';
import type { CaseView } from './view-model.ts';

export type ChatPlatform = 'slack' | 'teams' | 'console';

/** A channel (Slack channel id, Teams channel conversation id, console room) on one platform. */
export interface ChannelRef {
  platform: ChatPlatform;
  channel: string;
}

/** A thread in a channel, named by the id of its root message (Slack `ts`, Teams activity id). */
export interface ThreadRef extends ChannelRef {
  rootId: string;
}

/** A message the bot posted, to update it or to reply under it later. */
export interface MessageRef extends ChannelRef {
  messageId: string;
  /** The root of the thread the message is in, or null for a top-level message. */
  threadRootId: string | null;
}

/**
 * The handle that lets the bot open a form: on Slack the `trigger_id` of the click, valid for
 * 3 seconds; on Teams the id of the invoke activity that the form replies to.
 */
export interface FormTrigger {
  platform: ChatPlatform;
  triggerId: string;
}

/**
 * The chat port: everything Casebridge does on a chat platform. Slack, Teams and the local console
 * implement it, so a case can live on several platforms at once. Views arrive already rendered
 * for their audience and locale; the port only turns them into the platform's format. Methods
 * reject with the platform's error after the platform refused or failed; the outbox retries.
 */
export interface ChatPort {
  readonly platform: ChatPlatform;

  /** Posts a case card; to a channel it starts a thread, to a thread it replies there. */
  postCard(target: ChannelRef | ThreadRef, view: CaseView): Promise<MessageRef>;

  /** Replaces a posted card, for example after the case changed state. */
  updateCard(message: MessageRef, view: CaseView): Promise<void>;

  /** Posts plain text in a case's thread. */
  reply(thread: ThreadRef, text: string): Promise<MessageRef>;

  /** Posts plain text as a top-level message in a channel, outside any case thread. */
  postText(channel: ChannelRef, text: string): Promise<MessageRef>;

  /** Sends a card or text to one person, found by e-mail address, in a direct conversation. */
  directMessage(personEmail: string, content: CaseView | string): Promise<MessageRef>;

  /** Opens a form after a click. */
  openForm(trigger: FormTrigger, form: FormView): Promise<void>;

  /** Returns the directory e-mail of a platform user, or null when the platform has none for them. */
  resolveUser(platformUserId: string): Promise<string | null>;

  /**
   * Lists the e-mail addresses of a channel's human members, so that the subject is never among
   * them. Bots are left out; people whose address the platform does not show are counted in
   * `unidentified`, because any of them could be the subject.
   */
  channelMembers(channel: ChannelRef): Promise<ChannelMembers>;
}

/** The members of a channel as the tipping-off guard sees them. */
export interface ChannelMembers {
  emails: string[];
  /** People in the channel whose e-mail address could not be read. */
  unidentified: number;
}

/** Returns the thread that a posted message starts, or the one it is in. */
export function threadOf(message: MessageRef): ThreadRef {
  return {
    platform: message.platform,
    channel: message.channel,
    rootId: message.threadRootId ?? message.messageId,
  };
}

export function isThreadRef(target: ChannelRef | ThreadRef): target is ThreadRef {
  return 'rootId' in target;
}
