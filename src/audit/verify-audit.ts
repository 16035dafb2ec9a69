import { and, asc, eq, gt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { auditEvents, auditHeads } from '../store/schema.ts';
import { chainHash, digestContent, GENESIS_HASH } from './hash-chain.ts';

export interface AuditBreak {
  stream: string;
  /** The sequence number where the chain breaks; for a missing tail, the head's. */
  seq: number;
  eventId: number | null;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  events: number;
  /** Events whose content a redaction removed; each was checked by its stored digest and its link. */
  redacted: number;
  firstBreak?: AuditBreak;
}

const PAGE_SIZE = 2000;

type AuditRow = typeof auditEvents.$inferSelect;

/**
 * Walks every audit stream in order and checks each event's content digest, its link to the
 * previous event, the absence of gaps, and that the stream's head names its last event. An edited
 * row breaks its digest, a deleted row leaves a gap, and a deleted last row no longer matches the
 * head. A redacted row is checked by its stored digest only, because its content was removed. It
 * must also be covered by a later event of its stream whose data has `redactedThrough` at or after
 * its sequence number, as retention's ANONYMISE event has. So marking a row redacted to hide an
 * edit breaks the verification.
 *
 * NOTE: whoever can rewrite every later row and the head in one go can forge a consistent chain;
 * anchoring head hashes outside the database would close that gap.
 */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  const heads = new Map<string, { seq: number; hash: string }>();
  for (const head of await db.select().from(auditHeads)) heads.set(head.stream, head);

  let count = 0;
  let redacted = 0;
  /** Redacted sequence numbers of the current stream that no redaction record covers yet. */
  let uncovered: number[] = [];
  let stream: string | null = null;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const seen = new Set<string>();
  let cursor: { stream: string; seq: number } | null = null;

  const closeStream = (name: string, lastSeq: number, lastHash: string): AuditBreak | null => {
    if (uncovered.length > 0) {
      return {
        stream: name,
        seq: uncovered[0]!,
        eventId: null,
        problem: 'the event is marked redacted but no later event records the redaction',
      };
    }
    const head = heads.get(name);
    if (head === undefined)
      return { stream: name, seq: lastSeq, eventId: null, problem: 'the stream has no head row' };
    if (head.seq !== lastSeq || head.hash !== lastHash) {
      return {
        stream: name,
        seq: head.seq,
        eventId: null,
        problem: `the head names event ${head.seq} but the last event is ${lastSeq}: events were deleted from the end`,
      };
    }
    return null;
  };

  for (;;) {
    const where: SQL | undefined =
      cursor === null
        ? undefined
        : or(
            gt(auditEvents.stream, cursor.stream),
            and(eq(auditEvents.stream, cursor.stream), gt(auditEvents.seq, cursor.seq)),
          );
    const page: AuditRow[] = await db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(asc(auditEvents.stream), asc(auditEvents.seq))
      .limit(PAGE_SIZE);
    if (page.length === 0) break;

    for (const row of page) {
      if (row.stream !== stream) {
        if (stream !== null) {
          const broken = closeStream(stream, expectedSeq - 1, prevHash);
          if (broken !== null) return { ok: false, events: count, redacted, firstBreak: broken };
        }
        uncovered = [];
        stream = row.stream;
        seen.add(row.stream);
        expectedSeq = 1;
        prevHash = GENESIS_HASH;
      }
      count++;

      const fail = (problem: string): AuditVerification => ({
        ok: false,
        events: count,
        redacted,
        firstBreak: { stream: row.stream, seq: row.seq, eventId: row.id, problem },
      });
      if (row.seq !== expectedSeq)
        return fail(`expected event ${expectedSeq} but found ${row.seq}: events were deleted`);
      if (row.prevHash !== prevHash)
        return fail('the previous-hash link does not match the previous event');
      if (row.redacted) {
        redacted++;
        uncovered.push(row.seq);
      } else {
        const through = redactedThrough(row.data);
        if (through !== null) uncovered = uncovered.filter((seq) => seq > through);
        const digest = digestContent({
          stream: row.stream,
          seq: row.seq,
          caseId: row.caseId,
          type: row.type,
          outcome: row.outcome as 'accepted' | 'rejected',
          actor: row.actor,
          actorRole: row.actorRole,
          at: row.at,
          fromState: row.fromState,
          toState: row.toState,
          reason: row.reason,
          data: row.data,
        });
        if (digest !== row.contentDigest)
          return fail('the content does not match its digest: the event was edited');
      }
      if (chainHash(prevHash, row.contentDigest) !== row.hash)
        return fail('the hash does not match the chain: the event was edited');

      expectedSeq++;
      prevHash = row.hash;
    }
    const last: AuditRow = page[page.length - 1]!;
    cursor = { stream: last.stream, seq: last.seq };
  }

  if (stream !== null) {
    const broken = closeStream(stream, expectedSeq - 1, prevHash);
    if (broken !== null) return { ok: false, events: count, redacted, firstBreak: broken };
  }
  for (const [name, head] of heads) {
    if (!seen.has(name) && head.seq > 0) {
      return {
        ok: false,
        events: count,
        redacted,
        firstBreak: {
          stream: name,
          seq: head.seq,
          eventId: null,
          problem: 'the head names events but none remain: they were deleted',
        },
      };
    }
  }
  return { ok: true, events: count, redacted };
}

/** Reads `redactedThrough` from an event's data: the last sequence number a redaction covered. */
function redactedThrough(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null;
  const value = (data as { redactedThrough?: unknown }).redactedThrough;
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}
