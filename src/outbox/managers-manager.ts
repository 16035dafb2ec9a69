import { inArray } from 'drizzle-orm';
import { slaLadder } from '../../workflows/policy.ts';
import { t } from '../chat/messages/index.ts';
import type { Executor } from '../store/db.ts';
import { type caseThreads, type outbox, people } from '../store/schema.ts';
import type { CaseChange } from './case-notifier.ts';

type ThreadRow = typeof caseThreads.$inferSelect;

/** The payload of a `direct` outbox message: a text sent to one person outside the case's threads. */
export interface DirectPayload {
  to: string;
  text: string;
}

/**
 * Builds the outbox messages of SLA escalations whose ladder rung asks the manager's own manager
 * to follow up. Each goes out through the case's HR thread on each platform, because HR owns the
 * notice step; when the directory names no manager above the subject's manager, HR is told in its
 * thread instead.
 */
export async function managersManagerMessages(
  tx: Executor,
  changes: CaseChange[],
  threads: Iterable<ThreadRow>,
): Promise<Array<typeof outbox.$inferInsert>> {
  const escalations = changes.filter((change) => {
    const event = change.event;
    if (event?.type !== 'SLA_ESCALATE' || event.step === undefined) return false;
    return slaLadder(event.state)[event.step]?.alsoNotify === 'managers_manager';
  });
  const managers = [
    ...new Set(
      escalations.flatMap((change) =>
        change.after.subject.managerEmail === null ? [] : [change.after.subject.managerEmail],
      ),
    ),
  ];
  if (managers.length === 0) return [];

  const rows = await tx
    .select({ email: people.email, name: people.name, managerEmail: people.managerEmail })
    .from(people)
    .where(inArray(people.email, managers));
  const byEmail = new Map(rows.map((row) => [row.email, row]));
  const hrThreads = [...threads].filter((thread) => thread.audience === 'hr');

  return escalations.flatMap((change) => {
    const managerEmail = change.after.subject.managerEmail;
    if (managerEmail === null) return [];
    const manager = byEmail.get(managerEmail);
    const managerLabel = manager?.name ?? managerEmail;
    const since = change.before?.stateEnteredAt ?? change.event!.at;
    return hrThreads
      .filter((thread) => thread.caseId === change.caseId)
      .map((thread) => {
        const above = manager?.managerEmail ?? null;
        if (above === null) {
          return {
            threadId: thread.id,
            caseId: change.caseId,
            kind: 'reply',
            payload: {
              text: t('en', 'alert.noManagersManager', { manager: managerLabel }),
            },
          };
        }
        const payload: DirectPayload = {
          to: above,
          text: t('en', 'managersManager.escalation', {
            manager: managerLabel,
            since: since.slice(0, 10),
          }),
        };
        return { threadId: thread.id, caseId: change.caseId, kind: 'direct', payload };
      });
  });
}
