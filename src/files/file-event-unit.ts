import { and, gte, inArray, ne, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { SignalSubject } from '../feeds/signal.ts';
import { ingestBatch } from '../intake/ingest-batch.ts';
import { type ResolvedSubject, resolveSubjects } from '../intake/resolve-subject.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import { copyField, copyRows, copyTextArray } from '../store/copy-rows.ts';
import { type Executor, resultRows, sqlState, UNIQUE_VIOLATION } from '../store/db.ts';
import { cases, people } from '../store/schema.ts';
import { fileCaseOpenings } from '../store/schema-files.ts';
import type { RegistryIndex } from './critical-file-registry.ts';
import {
  activityKey,
  addDailyActivity,
  type DailyActivity,
  UNKNOWN_CATEGORY,
} from './daily-activity.ts';
import {
  buildFileAlert,
  isWorthACase,
  noteEvent,
  type SubjectFindings,
  startFindings,
} from './file-alert.ts';
import type { FileEvent } from './file-event.ts';
import { type FileRules, findFlag, findSuppression } from './file-rules.ts';
import type { ActivityBaselines } from './score-activity.ts';

/** The input of a watch rule: the parsed event and the person it is about. */
export interface WatchedEvent {
  event: FileEvent;
  subjectKey: string;
  personId: string | null;
}

/**
 * Decides whether a watch rule makes an event's subject worth a case; returns the rule's name,
 * or null. The watchlist module supplies it; without it only the registry, baselines and flag
 * rules decide.
 */
export type WatchRuleHook = (watched: WatchedEvent) => string | null;

/**
 * Prepares the watch-rule hook of one chunk: loads what the rules need about the chunk's people
 * once, in the unit's transaction, so that the hook itself stays synchronous.
 */
export type WatchRulePreparer = (
  tx: Executor,
  personIds: string[],
  now: Date,
) => Promise<WatchRuleHook>;

export interface UnitCounts {
  accepted: number;
  suppressed: number;
  matchedCritical: number;
  duplicates: number;
  throttled: number;
  casesOpened: number;
  casesUpdated: number;
}

/** The state that every unit of one ingest run shares: settings, the registry and the caches. */
export interface IngestRun {
  registry: RegistryIndex;
  rules: FileRules;
  reopenWindowHours: number;
  notifier?: CaseNotifier | undefined;
  calendar?: BusinessCalendar | undefined;
  watchRule?: WatchRulePreparer | undefined;
  /** Watchlist windows and time zone for intake's watch reasons; the configuration defaults when absent. */
  watch?: WatchlistContext | undefined;
  subjects: SubjectCache;
  baselines: ActivityBaselines;
}

/** An event with its registry match and rule results, and its stored row without the subject. */
export interface PreparedEvent {
  event: FileEvent;
  /** The UTC day of the event, `YYYY-MM-DD`. */
  day: string;
  /** The subject as the feed names it, for the subject cache. */
  identity: string;
  critical: ReturnType<RegistryIndex['match']>;
  suppressedBy: string | null;
  flag: string | null;
  /** The COPY fields of the row after `subject_key`, with the line end. */
  rowTail: string;
}

/** The columns a unit copies into `file_events`, in the order of `PreparedEvent.rowTail`. */
const FILE_EVENT_COPY_TARGET = `"file_events" ("subject_key", "source", "event_id", "observed_at", "user_email", "device", "action", "file_name", "file_path", "sha256", "md5", "file_category", "size_bytes", "destination_category", "destination_name", "domains", "process", "severity", "risk_score", "critical_file_id", "suppressed_by", "received_at")`;

/**
 * Matches an event against the registry and the rules and writes its row, all but the subject,
 * which needs the directory. Needs no database, so it runs while the previous chunk is copied.
 * `receivedAt` is already in COPY's format.
 */
export function prepareFileEvent(
  event: FileEvent,
  registry: RegistryIndex,
  rules: FileRules,
  receivedAt: string,
): PreparedEvent {
  const critical = registry.match(event.sha256, event.md5);
  const suppressedBy = findSuppression(rules, event)?.name ?? null;
  const flag = suppressedBy === null ? (findFlag(rules, event)?.name ?? null) : null;
  const observedAt = event.observedAt.toISOString();
  // One join makes a flat string. A chain of concatenations would keep dozens of string pieces
  // alive per event until the chunk is copied.
  const rowTail = `${[
    copyField(event.signal.source),
    copyField(event.eventId),
    observedAt,
    copyField(event.userEmail),
    copyField(event.device),
    copyField(event.action),
    copyField(event.fileName),
    copyField(event.filePath),
    copyField(event.sha256),
    copyField(event.md5),
    copyField(event.fileCategory),
    copyField(storableSize(event.sizeBytes)),
    copyField(event.destinationCategory),
    copyField(event.destinationName),
    copyTextArray(event.domains),
    copyField(event.process),
    copyField(event.signal.severity),
    copyField(event.signal.riskScore),
    copyField(critical?.id),
    copyField(suppressedBy),
    receivedAt,
  ].join('\t')}\n`;
  return {
    event,
    day: observedAt.slice(0, 10),
    identity: identityOf(event.signal.subject),
    critical,
    suppressedBy,
    flag,
    rowTail,
  };
}

/** Returns a size that fits `bigint` (whole bytes), or null for a value no file can have. */
function storableSize(size: number | null): number | null {
  if (size === null) return null;
  const bytes = Math.round(size);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : null;
}

/** A directory entry of a subject, as the units need it. */
export interface KnownSubject {
  subject: ResolvedSubject;
  department: string | null;
  hireDate: string | null;
}

/** Subjects resolved beyond which the cache starts over. */
export const MAX_CACHED_SUBJECTS = 100_000;

/**
 * The subjects of one ingest run, resolved against the directory once each. A person added to the
 * directory during the run is matched from the next run on. Beyond `limit` subjects the cache
 * starts over; entries it returned earlier stay valid, so a unit keeps what it was given.
 */
export class SubjectCache {
  private readonly known = new Map<string, KnownSubject>();

  constructor(private readonly limit = MAX_CACHED_SUBJECTS) {}

  /**
   * Returns the directory entry of each event's subject, in order, querying only for subjects not
   * seen before.
   */
  async resolve(tx: Executor, chunk: readonly PreparedEvent[]): Promise<KnownSubject[]> {
    const entries: Array<KnownSubject | undefined> = [];
    const missing = new Map<string, SignalSubject>();
    for (const { identity, event } of chunk) {
      const entry = this.known.get(identity);
      entries.push(entry);
      if (entry === undefined) missing.set(identity, event.signal.subject);
    }
    if (missing.size === 0) return entries as KnownSubject[];
    if (this.known.size + missing.size > this.limit) this.known.clear();
    const resolved = await resolveSubjects(tx, [...missing.values()]);
    const ids = [...new Set(resolved.flatMap((subject) => subject.personId ?? []))];
    const rows =
      ids.length === 0
        ? []
        : await tx
            .select({ id: people.id, department: people.department, hireDate: people.hireDate })
            .from(people)
            .where(inArray(people.id, ids));
    const personOf = new Map(rows.map((row) => [row.id, row]));
    const added = new Map<string, KnownSubject>();
    [...missing.keys()].forEach((identity, index) => {
      const subject = resolved[index]!;
      const person = subject.personId === null ? undefined : personOf.get(subject.personId);
      const entry = {
        subject,
        department: person?.department ?? null,
        hireDate: person?.hireDate ?? null,
      };
      added.set(identity, entry);
      this.known.set(identity, entry);
    });
    return chunk.map(({ identity }, index) => entries[index] ?? added.get(identity)!);
  }
}

function identityOf(subject: SignalSubject): string {
  return `${subject.email ?? ''}\u0000${subject.externalIds.join('\u0000')}`;
}

/** A subject's day in a unit: its findings and its totals by file and destination category. */
interface SubjectDay {
  findings: SubjectFindings;
  totals: Map<string, Map<string, DailyActivity>>;
}

/** A chunk whose rows are being copied, and what is needed to act on it once they are stored. */
interface ChunkInFlight {
  chunk: readonly PreparedEvent[];
  known: KnownSubject[];
  /** Positions of the events being stored. */
  fresh: number[];
  watchRule: WatchRuleHook | undefined;
  copying: Promise<void>;
}

/**
 * One transaction of file-event ingest. `add` stores a chunk of prepared events: it resolves
 * their subjects and starts copying the rows into `file_events` without waiting for the server,
 * so that the caller can read and prepare the next chunk meanwhile. `finish` adds the unit's
 * daily totals, scores them against the baselines and hands one alert per subject worth a case
 * to intake.
 *
 * Duplicates are found by the primary key. Each chunk is copied after a savepoint. When the copy
 * meets an event stored before (same source, id and time), the chunk is rolled back to the
 * savepoint and copied again without the events already stored. The caller holds the advisory
 * lock (`lockFileEventIngest`), so no other process stores events meanwhile.
 */
export class FileEventUnit {
  readonly counts: UnitCounts = {
    accepted: 0,
    suppressed: 0,
    matchedCritical: 0,
    duplicates: 0,
    throttled: 0,
    casesOpened: 0,
    casesUpdated: 0,
  };
  /** Each subject's days in this unit, by the subject's cache entry and then by day. */
  private readonly days = new Map<KnownSubject, Map<string, SubjectDay>>();
  private inFlight: ChunkInFlight | null = null;

  constructor(
    private readonly tx: Executor,
    private readonly run: IngestRun,
    private readonly now: Date,
  ) {}

  async add(chunk: readonly PreparedEvent[]): Promise<void> {
    if (chunk.length === 0) return;
    const previous = await this.settle();
    // Counted over every accepted event, duplicates included, as the summary documents.
    this.counts.accepted += chunk.length;
    for (const { critical, suppressedBy } of chunk) {
      if (critical !== null) this.counts.matchedCritical++;
      if (suppressedBy !== null) this.counts.suppressed++;
    }
    const known = await this.run.subjects.resolve(this.tx, chunk);
    const watchRule = await this.run.watchRule?.(
      this.tx,
      [...new Set(known.flatMap((entry) => entry.subject.personId ?? []))],
      this.now,
    );
    const fresh = chunk.map((_, index) => index);
    await this.tx.execute(sql`savepoint file_events_chunk`);
    const copying = this.copy(chunk, known, fresh);
    // Awaited by the next add or by finish; until then a failure must not go unhandled.
    copying.catch(() => {});
    this.inFlight = { chunk, known, fresh, watchRule, copying };
    // The previous chunk is acted on while the server stores this one.
    if (previous !== null) this.noteChunk(previous);
  }

  /**
   * Waits for the chunk in flight to be stored, copying it again without the events stored before
   * when the copy met one. Returns the chunk, or null when none was in flight.
   */
  async settle(): Promise<ChunkInFlight | null> {
    const flight = this.inFlight;
    this.inFlight = null;
    if (flight === null) return null;
    try {
      await flight.copying;
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      await this.tx.execute(sql`rollback to savepoint file_events_chunk`);
      flight.fresh = await this.skipStored(flight.chunk);
      if (flight.fresh.length > 0) await this.copy(flight.chunk, flight.known, flight.fresh);
    }
    await this.tx.execute(sql`release savepoint file_events_chunk`);
    return flight;
  }

  /** Waits for the chunk in flight, if any, ignoring its failure; for leaving the transaction. */
  async abandon(): Promise<void> {
    const flight = this.inFlight;
    this.inFlight = null;
    await flight?.copying.catch(() => {});
  }

  async finish(): Promise<UnitCounts> {
    const last = await this.settle();
    if (last !== null) this.noteChunk(last);
    const subjectDays = [...this.days.values()].flatMap((byDay) => [...byDay.values()]);
    const increments = subjectDays.flatMap((day) =>
      [...day.totals.values()].flatMap((byDestination) => [...byDestination.values()]),
    );
    const totals = await addDailyActivity(this.tx, increments);
    // The unit's own entries give the hire dates: the run's cache may have started over since.
    const hireDates = new Map([...this.days.keys()].map((entry) => [entry.subject.key, entry]));
    const scores = await this.run.baselines.score(
      this.tx,
      totals,
      increments,
      (key) => hireDates.get(key)?.hireDate ?? null,
    );
    for (const day of subjectDays) {
      for (const byDestination of day.totals.values()) {
        for (const total of byDestination.values()) {
          const finding = scores.get(activityKey(total))?.finding;
          if (finding != null) day.findings.anomalies.push(finding);
        }
      }
    }
    await this.openCases(subjectDays.map((day) => day.findings).filter(isWorthACase));
    return this.counts;
  }

  private copy(
    chunk: readonly PreparedEvent[],
    known: readonly KnownSubject[],
    fresh: readonly number[],
  ): Promise<void> {
    let rows = '';
    for (const index of fresh) {
      rows += `${copyField(known[index]!.subject.key)}\t${chunk[index]!.rowTail}`;
    }
    return copyRows(this.tx, FILE_EVENT_COPY_TARGET, rows);
  }

  private noteChunk({ chunk, known, fresh, watchRule }: ChunkInFlight): void {
    for (const index of fresh) this.note(chunk[index]!, known[index]!, watchRule);
  }

  private note(
    prepared: PreparedEvent,
    entry: KnownSubject,
    watchRule: WatchRuleHook | undefined,
  ): void {
    const { event, critical, day } = prepared;
    if (prepared.suppressedBy !== null) return;
    const subject = entry.subject;
    // Maps keyed by the cache entry and by the event's own strings: no key is built per event.
    let byDay = this.days.get(entry);
    if (byDay === undefined) {
      byDay = new Map();
      this.days.set(entry, byDay);
    }
    let state = byDay.get(day);
    if (state === undefined) {
      state = { findings: startFindings(subject.key, day, event), totals: new Map() };
      byDay.set(day, state);
    } else noteEvent(state.findings, event);
    const found = state.findings;

    const fileCategory = event.fileCategory ?? UNKNOWN_CATEGORY;
    const destinationCategory = event.destinationCategory ?? UNKNOWN_CATEGORY;
    let byDestination = state.totals.get(fileCategory);
    if (byDestination === undefined) {
      byDestination = new Map();
      state.totals.set(fileCategory, byDestination);
    }
    const total = byDestination.get(destinationCategory);
    const bytes = event.sizeBytes ?? 0;
    if (total === undefined) {
      byDestination.set(destinationCategory, {
        subjectKey: subject.key,
        day,
        fileCategory,
        destinationCategory,
        department: entry.department,
        events: 1,
        bytes,
      });
    } else {
      total.events++;
      total.bytes += bytes;
    }

    if (critical !== null && !found.critical.some((item) => item.entry.id === critical.id))
      found.critical.push({ event, entry: critical });
    if (prepared.flag !== null) found.flags.add(prepared.flag);
    const watch = watchRule?.({ event, subjectKey: subject.key, personId: subject.personId });
    if (watch != null) found.watches.add(watch);
  }

  /**
   * Returns the positions of the events not stored yet, and counts the others as duplicates:
   * repeats within the chunk and events already in `file_events` (same source, id and time),
   * including those of earlier chunks of this unit.
   */
  private async skipStored(chunk: readonly PreparedEvent[]): Promise<number[]> {
    let earliest = Number.POSITIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    for (const { event } of chunk) {
      const time = event.observedAt.getTime();
      if (time < earliest) earliest = time;
      if (time > latest) latest = time;
    }
    const ids = JSON.stringify([...new Set(chunk.map(({ event }) => event.eventId))]);
    // The time bounds keep the lookup to the chunk's daily partitions.
    const stored = resultRows<{ event_id: string; observed_at: string }>(
      await this.tx.execute(sql`
        select event_id,
          to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as observed_at
        from file_events
        where source = 'incydr'
          and observed_at between ${new Date(earliest).toISOString()}::timestamptz
            and ${new Date(latest).toISOString()}::timestamptz
          and event_id = any(array(select jsonb_array_elements_text(${ids}::jsonb)))`),
    );
    const seen = new Set(stored.map((row) => `${row.event_id}\u0000${row.observed_at}`));
    const fresh: number[] = [];
    chunk.forEach(({ event }, index) => {
      const key = `${event.eventId}\u0000${event.observedAt.toISOString()}`;
      if (seen.has(key)) {
        this.counts.duplicates++;
        return;
      }
      seen.add(key);
      fresh.push(index);
    });
    return fresh;
  }

  /**
   * Hands one alert per subject worth a case to intake, which groups it into the subject's open
   * case. A subject without an open case gets a new one only while the throttle allows.
   */
  private async openCases(worthy: SubjectFindings[]): Promise<void> {
    if (worthy.length === 0) return;
    const { tx, now, run, counts } = this;
    const keys = [...new Set(worthy.map((found) => found.subjectKey))];
    const openRows = await tx
      .select({ subjectKey: cases.subjectKey })
      .from(cases)
      .where(and(inArray(cases.subjectKey, keys), ne(cases.state, 'closed')));
    const withOpenCase = new Set(openRows.map((row) => row.subjectKey));
    const { maxNewCases, windowHours } = run.rules.throttle;
    const since = new Date(now.getTime() - windowHours * 3_600_000);
    const recent = await tx
      .select({ subjectKey: fileCaseOpenings.subjectKey, opened: sql<number>`count(*)::int` })
      .from(fileCaseOpenings)
      .where(and(inArray(fileCaseOpenings.subjectKey, keys), gte(fileCaseOpenings.openedAt, since)))
      .groupBy(fileCaseOpenings.subjectKey);
    const openedRecently = new Map(recent.map((row) => [row.subjectKey, Number(row.opened)]));

    const allowed = worthy.filter((found) => {
      if (withOpenCase.has(found.subjectKey)) return true;
      if ((openedRecently.get(found.subjectKey) ?? 0) < maxNewCases) return true;
      counts.throttled++;
      return false;
    });
    if (allowed.length === 0) return;

    const alerts = allowed.map((found) => buildFileAlert(found, run.rules));
    const results = await ingestBatch(tx, alerts, {
      reopenWindowHours: run.reopenWindowHours,
      now,
      notifier: run.notifier,
      calendar: run.calendar,
      watch: run.watch,
    });
    const openings: Array<typeof fileCaseOpenings.$inferInsert> = [];
    // A subject's alerts for several days join one case; it counts once, as opened or updated.
    const updated = new Set<string>();
    results.forEach((result, index) => {
      if (result.outcome === 'created') {
        counts.casesOpened++;
        openings.push({
          subjectKey: allowed[index]!.subjectKey,
          caseId: result.caseId!,
          openedAt: now,
        });
      } else if (result.outcome === 'grouped') updated.add(result.caseId!);
    });
    for (const opening of openings) updated.delete(opening.caseId);
    counts.casesUpdated += updated.size;
    if (openings.length > 0)
      await tx.insert(fileCaseOpenings).values(openings).onConflictDoNothing();
  }
}

/** Takes the advisory lock that lets one unit at a time, of any process, store file events. */
export async function lockFileEventIngest(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('file_events_ingest'))`);
}
