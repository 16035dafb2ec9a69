import { desc, eq } from 'drizzle-orm';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { Executor } from '../store/db.ts';
import { auditEvents } from '../store/schema.ts';
import type { LoadedFileRules } from './file-rules.ts';

/** The audit stream that records each version of the file rules in force. */
export const FILE_RULES_STREAM = 'file-rules';

/**
 * Appends a `FILE_RULES_CHANGED` audit event when the rules in force differ from the last
 * recorded version (by the SHA-256 of the rule file's text). Returns true when it recorded one.
 */
export async function recordFileRulesVersion(
  tx: Executor,
  loaded: LoadedFileRules,
  at: Date,
): Promise<boolean> {
  const [last] = await tx
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.stream, FILE_RULES_STREAM))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const previous = (last?.data as { sha256?: string } | undefined)?.sha256 ?? null;
  if (previous === loaded.sha256) return false;

  await appendAuditEvent(tx, {
    stream: FILE_RULES_STREAM,
    caseId: null,
    type: 'FILE_RULES_CHANGED',
    outcome: 'accepted',
    actor: 'system:files',
    actorRole: 'system',
    at,
    fromState: null,
    toState: null,
    reason: null,
    data: {
      path: loaded.path,
      sha256: loaded.sha256,
      previousSha256: previous,
      suppressRules: loaded.rules.suppress.map((rule) => rule.name),
      flagRules: loaded.rules.flag.map((rule) => rule.name),
    },
  });
  return true;
}
