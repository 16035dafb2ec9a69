import { eq, sql } from 'drizzle-orm';
import { findPersonByEmail } from '../../people/find-person.ts';
import type { Db } from '../../store/db.ts';
import { consoleMessages } from '../../store/schema.ts';
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
import type { ConsoleBus } from './console-bus.ts';
import { type ConsoleChannel, channelMemberEmails, directChannel } from './console-channels.ts';

/** The author of every message the bot writes. */
export const botAuthor = 'casebridge';

/** Content of a stored console message, by its kind. */
export type ConsoleContent = { view: CaseView } | { text: string } | { form: FormView };

/** A delivery the console cannot make; the outbox treats it as permanent (`code`). */
export class ConsoleRecipientError extends Error {
  readonly code = 'console_recipient_not_found';
}

/**
 * Splits a console form trigger `<email> <channel> <threadRootId>` (the person who clicked and
 * where), which the console route builds for each click.
 */
export function parseFormTrigger(triggerId: string): {
  email: string;
  channel: string;
  rootId: number | null;
} {
  const [email = '', channel = '', root = ''] = triggerId.split(' ');
  const rootId = Number(root);
  return { email, channel, rootId: Number.isSafeInteger(rootId) && rootId > 0 ? rootId : null };
}

export interface ConsolePortDeps {
  db: Db;
  bus: ConsoleBus;
  channels: readonly ConsoleChannel[];
}

/**
 * The chat port on the local console: messages are rows of `console_messages`, and every write is
 * announced on the bus so that open browsers refresh. Channel members are the holders of the roles
 * routed to the channel, so the outbox's tipping-off guard works here as on Slack and Teams.
 */
export class ConsoleChatPort implements ChatPort {
  readonly platform = 'console' as const;

  constructor(private readonly deps: ConsolePortDeps) {}

  async postCard(target: ChannelRef | ThreadRef, view: CaseView): Promise<MessageRef> {
    const rootId = isThreadRef(target) ? Number(target.rootId) : null;
    return this.insert(target.channel, rootId, 'card', view.caseId, { view });
  }

  async updateCard(message: MessageRef, view: CaseView): Promise<void> {
    const id = Number(message.messageId);
    const updated = await this.deps.db
      .update(consoleMessages)
      .set({ content: { view }, updatedAt: sql`now()` })
      .where(eq(consoleMessages.id, id))
      .returning({ id: consoleMessages.id });
    if (updated.length === 0)
      throw new ConsoleRecipientError(`console message ${id} was not found`);
    this.deps.bus.publish({ channel: message.channel, messageId: id });
  }

  async reply(thread: ThreadRef, text: string): Promise<MessageRef> {
    return this.insert(thread.channel, Number(thread.rootId), 'text', null, { text });
  }

  async postText(channel: ChannelRef, text: string): Promise<MessageRef> {
    return this.insert(channel.channel, null, 'text', null, { text });
  }

  /** Posts to the person's direct-message channel; fails permanently for someone outside the directory. */
  async directMessage(personEmail: string, content: CaseView | string): Promise<MessageRef> {
    const person = await findPersonByEmail(this.deps.db, personEmail);
    if (person === null) {
      throw new ConsoleRecipientError(`${personEmail} is not a person of the directory`);
    }
    const channel = directChannel(person.email);
    return typeof content === 'string'
      ? this.insert(channel, null, 'text', null, { text: content })
      : this.insert(channel, null, 'card', content.caseId, { view: content });
  }

  /**
   * Shows a form to the person who clicked, as a private message in the thread of the click. The
   * console page also renders each button's form inline, so this path serves forms that other
   * code opens by trigger.
   */
  async openForm(trigger: FormTrigger, form: FormView): Promise<void> {
    const { email, channel, rootId } = parseFormTrigger(trigger.triggerId);
    if (email === '' || channel === '') {
      throw new ConsoleRecipientError(`console form trigger "${trigger.triggerId}" is invalid`);
    }
    await this.insert(channel, rootId, 'form', form.payload.caseId, { form }, email);
  }

  /** Posts a private reply that only `email` sees, such as a refusal. */
  async privateReply(
    email: string,
    channel: string,
    rootId: number | null,
    text: string,
  ): Promise<MessageRef> {
    return this.insert(channel, rootId, 'text', null, { text }, email);
  }

  /** Posts a person's own message in a thread, such as the note they add. */
  async postAs(email: string, thread: ThreadRef, text: string): Promise<MessageRef> {
    return this.insert(thread.channel, Number(thread.rootId), 'text', null, { text }, null, email);
  }

  /** The console user id is the person's e-mail address, which the visitor picks. */
  async resolveUser(platformUserId: string): Promise<string | null> {
    return platformUserId.includes('@') ? platformUserId.toLowerCase() : null;
  }

  async channelMembers(channel: ChannelRef): Promise<ChannelMembers> {
    const emails = await channelMemberEmails(this.deps.db, this.deps.channels, channel.channel);
    return { emails, unidentified: 0 };
  }

  private async insert(
    channel: string,
    rootId: number | null,
    kind: 'card' | 'text' | 'form',
    caseId: string | null,
    content: ConsoleContent,
    visibleTo: string | null = null,
    author: string = botAuthor,
  ): Promise<MessageRef> {
    const [row] = await this.deps.db
      .insert(consoleMessages)
      .values({ channel, threadRootId: rootId, kind, author, visibleTo, caseId, content })
      .returning({ id: consoleMessages.id });
    if (row === undefined) throw new Error('console message insert returned no row');
    this.deps.bus.publish({ channel, messageId: row.id });
    return {
      platform: 'console',
      channel,
      messageId: String(row.id),
      threadRootId: rootId === null ? null : String(rootId),
    };
  }
}
