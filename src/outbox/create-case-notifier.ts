import { randomUUID } from 'node:crypto';
import { and, asc, inArray, isNull } from 'drizzle-orm';
import type { Audience } from '../chat/actions.ts';
import { noticeForEvent } from '../chat/notice.ts';
import type { ChatPlatform } from '../chat/port.ts';
import type { FileConfig } from '../config.ts';
import type { Executor } from '../store/db.ts';
import { caseThreads, outbox } from '../store/schema.ts';
import type { CaseChange, CaseNotifier } from './case-notifier.ts';
import { managersManagerMessages } from './managers-manager.ts';
import { threadAudiences } from './thread-audiences.ts';

type Routing = FileConfig['routing'];
type ThreadRow = typeof caseThreads.$inferSelect;

/**
 * Returns the channel of an audience on a platform, or undefined when the audience has no thread
 * there. The manager's notice is a direct message (channel null) on the platform HR works on,
 * because HR owns that step and is told when the notice cannot be delivered.
 */
function channelFor(
  routing: Routing,
  audience: Audience,
  platform: ChatPlatform,
): string | null | undefined {
  if (audience === 'manager') return routing.hr?.[platform] === undefined ? undefined : null;
  return routing[audience]?.[platform];
}

/**
 * Builds the notifier that writes chat messages for case changes on the given platforms. A change
 * opens a thread (its card) for each audience that newly follows the case, and updates the card and
 * replies with a short notice in every thread the case already has. Audiences without a routed
 * channel are skipped.
 */
export function createCaseNotifier(routing: Routing, platforms: ChatPlatform[]): CaseNotifier {
  return {
    async enqueue(tx: Executor, changes: CaseChange[]) {
      if (changes.length === 0 || platforms.length === 0) return;
      const caseIds = [...new Set(changes.map((change) => change.caseId))];
      const existing = await tx
        .select()
        .from(caseThreads)
        .where(
          and(
            inArray(caseThreads.caseId, caseIds),
            inArray(caseThreads.platform, platforms),
            isNull(caseThreads.retiredAt),
          ),
        )
        .orderBy(asc(caseThreads.createdAt), asc(caseThreads.id));
      const threads = new Map<string, ThreadRow>(
        existing.map((thread) => [
          `${thread.caseId}|${thread.audience}|${thread.platform}`,
          thread,
        ]),
      );

      const newThreads: Array<typeof caseThreads.$inferInsert> = [];
      const messages: Array<typeof outbox.$inferInsert> = [];
      const retired: string[] = [];

      for (const change of changes) {
        if (managerChanged(change)) {
          for (const platform of platforms) {
            const thread = retireManagerThread(threads, change.caseId, platform);
            if (thread === null) continue;
            retired.push(thread.id);
            // The last update of the old manager's card, which drops the button and explains why.
            messages.push({
              threadId: thread.id,
              caseId: change.caseId,
              kind: 'card',
              payload: {},
            });
          }
        }
        const followers = new Set(threadAudiences(change.toState));
        if (change.after.subject.managerEmail === null) followers.delete('manager');
        const notice =
          change.event === null || change.before === null
            ? null
            : noticeForEvent(change.event, change.before, change.after);

        for (const platform of platforms) {
          const open = [...threads.values()].filter(
            (thread) => thread.caseId === change.caseId && thread.platform === platform,
          );
          for (const thread of open) {
            messages.push({
              threadId: thread.id,
              caseId: change.caseId,
              kind: 'card',
              payload: {},
            });
            if (notice !== null)
              messages.push({
                threadId: thread.id,
                caseId: change.caseId,
                kind: 'reply',
                payload: { notice },
              });
          }

          for (const audience of followers) {
            const key = `${change.caseId}|${audience}|${platform}`;
            if (threads.has(key)) continue;
            const channel = channelFor(routing, audience, platform);
            if (channel === undefined) continue;
            const thread: ThreadRow = {
              id: randomUUID(),
              caseId: change.caseId,
              audience,
              platform,
              channel,
              rootId: null,
              blockedReason: null,
              retiredAt: null,
              createdAt: new Date(),
            };
            threads.set(key, thread);
            newThreads.push(thread);
            messages.push({
              threadId: thread.id,
              caseId: change.caseId,
              kind: 'card',
              payload: {},
            });
          }
        }
      }

      messages.push(...(await managersManagerMessages(tx, changes, threads.values())));
      // Retire first: the new manager thread takes the retired one's place in the unique index.
      if (retired.length > 0) {
        await tx
          .update(caseThreads)
          .set({ retiredAt: new Date() })
          .where(inArray(caseThreads.id, retired));
      }
      if (newThreads.length > 0) await tx.insert(caseThreads).values(newThreads);
      if (messages.length > 0) await tx.insert(outbox).values(messages);
    },
  };
}

function managerChanged(change: CaseChange): boolean {
  return (
    change.event?.type === 'HR_UPDATE' &&
    change.before !== null &&
    change.before.subject.managerEmail !== change.after.subject.managerEmail
  );
}

/**
 * Takes the manager's direct-message thread of a case out of `threads` when its card reached the
 * old manager, so that the change opens a new thread to the new manager, and returns it. A thread
 * whose card is not posted yet stays: its card goes to whoever is the manager when it is delivered.
 */
function retireManagerThread(
  threads: Map<string, ThreadRow>,
  caseId: string,
  platform: ChatPlatform,
): ThreadRow | null {
  const key = `${caseId}|manager|${platform}`;
  const thread = threads.get(key);
  if (thread === undefined || thread.rootId === null) return null;
  threads.delete(key);
  return thread;
}
