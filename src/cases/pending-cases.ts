import { and, asc, count, eq, inArray, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import type { CaseState, Priority, Role } from '../../workflows/case-events.ts';
import type { Executor } from '../store/db.ts';
import { cases, people } from '../store/schema.ts';

/** The states in which a case waits for a decision by each role. */
export const pendingStatesByRole: Record<Role, readonly CaseState[]> = {
  security: ['triage'],
  hr: ['hr_review', 'conversation', 'follow_up', 'action'],
  legal: ['legal_review'],
};

export interface PendingCase {
  key: string;
  state: CaseState;
  priority: Priority;
  openedAt: Date;
  /** True when the case waits for the viewer as the subject's manager rather than by role. */
  asManager: boolean;
  /** The subject's directory name; shown only in a manager's entries, which are about their report. */
  subjectName: string | null;
}

/** How many pending cases a list shows at most. */
export const pendingListLimit = 25;

/**
 * Lists the cases waiting for a person's decision, oldest first: those in a state their roles
 * decide, and the notices they must acknowledge as the subject's manager. Cases about the person
 * themselves are never listed. Returns at most `limit` cases and the total count.
 */
export async function listPendingCases(
  db: Executor,
  viewer: { email: string; roles: readonly Role[] },
  limit = pendingListLimit,
): Promise<{ cases: PendingCase[]; total: number }> {
  const email = viewer.email.toLowerCase();
  const states = [...new Set(viewer.roles.flatMap((role) => pendingStatesByRole[role]))];
  // The manager the policy checks is the one recorded in the case's context, not today's directory.
  const managerEmail = sql<string>`${cases.snapshot} -> 'context' -> 'subject' ->> 'managerEmail'`;

  const waiting: SQL[] = [and(eq(cases.state, 'manager_notice'), eq(managerEmail, email))!];
  if (states.length > 0) waiting.push(inArray(cases.state, states));

  const condition = and(
    or(...waiting),
    or(isNull(cases.subjectEmail), ne(cases.subjectEmail, email)),
  );
  const [counted] = await db.select({ total: count() }).from(cases).where(condition);
  const rows = await db
    .select({
      key: cases.key,
      state: cases.state,
      priority: cases.priority,
      openedAt: cases.openedAt,
      managerEmail,
      subjectName: people.name,
    })
    .from(cases)
    .leftJoin(people, eq(people.id, cases.subjectPersonId))
    .where(condition)
    .orderBy(asc(cases.openedAt), asc(cases.number))
    .limit(limit);

  const pending = rows.map((row) => {
    const state = row.state as CaseState;
    return {
      key: row.key,
      state,
      priority: row.priority as Priority,
      openedAt: row.openedAt,
      asManager: !states.includes(state) && row.managerEmail === email,
      subjectName: row.subjectName,
    };
  });
  return { cases: pending, total: counted?.total ?? pending.length };
}
