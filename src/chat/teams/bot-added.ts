import { z } from 'zod';
import type { Logger } from '../../log.ts';

/** The parts of a `conversationUpdate` activity that tell where the bot was added. */
const conversationUpdateSchema = z.looseObject({
  membersAdded: z.array(z.looseObject({ id: z.string() })).default([]),
  recipient: z.looseObject({ id: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1) }),
  channelData: z
    .looseObject({
      team: z.looseObject({ id: z.string().min(1) }).optional(),
      channel: z.looseObject({ id: z.string().min(1) }).optional(),
      tenant: z.looseObject({ id: z.string().min(1) }).optional(),
    })
    .default({}),
});

/**
 * Logs the team and channel ids when the bot is added to a team, so that an admin can copy the
 * channel id into `routing`. Nothing is stored. Other membership changes are ignored.
 *
 * When Teams does not name a channel, the id logged is the conversation's, which is the team's
 * General channel.
 */
export function logBotAdded(logger: Logger, body: unknown): void {
  const parsed = conversationUpdateSchema.safeParse(body);
  if (!parsed.success) {
    logger.warn({ platform: 'teams' }, 'teams conversation update ignored: fields missing');
    return;
  }
  const update = parsed.data;
  const team = update.channelData.team;
  const botAdded = update.membersAdded.some((member) => member.id === update.recipient.id);
  if (!botAdded || team === undefined) return;

  logger.info(
    {
      platform: 'teams',
      teamId: team.id,
      channelId: update.channelData.channel?.id ?? update.conversation.id,
      tenantId: update.channelData.tenant?.id ?? null,
    },
    'teams bot added to a team; copy channelId into routing to post cases there',
  );
}
