import { and, asc, desc, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from '../../store/db.ts';
import { consoleMessages } from '../../store/schema.ts';

export type ConsoleMessageRow = typeof consoleMessages.$inferSelect;

/** A thread as the console shows it: the root message and its replies in order. */
export interface ConsoleThread {
  root: ConsoleMessageRow;
  replies: ConsoleMessageRow[];
}

/** How many threads of a channel the page shows, newest first. */
const threadsPerChannel = 50;

/**
 * Loads the newest threads of each channel as one person sees them: private replies meant for
 * someone else are left out.
 */
export async function loadConsoleFeed(
  db: Db,
  channels: readonly string[],
  viewerEmail: string,
): Promise<Map<string, ConsoleThread[]>> {
  const visible = or(isNull(consoleMessages.visibleTo), eq(consoleMessages.visibleTo, viewerEmail));
  const feed = new Map<string, ConsoleThread[]>();

  for (const channel of channels) {
    const roots = await db
      .select()
      .from(consoleMessages)
      .where(
        and(eq(consoleMessages.channel, channel), isNull(consoleMessages.threadRootId), visible),
      )
      .orderBy(desc(consoleMessages.id))
      .limit(threadsPerChannel);
    const rootIds = roots.map((root) => root.id);
    const replies =
      rootIds.length === 0
        ? []
        : await db
            .select()
            .from(consoleMessages)
            .where(and(inArray(consoleMessages.threadRootId, rootIds), visible))
            .orderBy(asc(consoleMessages.id));
    feed.set(
      channel,
      roots.map((root) => ({
        root,
        replies: replies.filter((reply) => reply.threadRootId === root.id),
      })),
    );
  }
  return feed;
}
