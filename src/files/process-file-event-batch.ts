import { and, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import { ingestBatch } from '../intake/ingest-batch.ts';
import { type ResolvedSubject, resolveSubjects } from '../intake/resolve-subject.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import type { Executor } from '../store/db.ts';
import { cases, people } from '../store/schema.ts';
import { fileCaseOpenings, fileEvents } from '../store/schema-files.ts';
import { utcDay } from './baseline.ts';
import type { RegistryIndex } from './critical-file-registry.ts';
import {
  activityKey,
  addDailyActivity,
  type DailyActivity,
  UNKNOWN_CATEGORY,
} from './daily-activity.ts';
import { buildFileAlert, isWorthACase, type SubjectFindings } from './file-alert.ts';
import type { FileEvent } from './file-event.ts';
import { type FileRules, findFlag, findSuppression } from './file-rules.ts';
import { scoreActivity } from './score-activity.ts';

/** An event as a watch rule sees it: the parsed event and the person it is about. */
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
 * Prepares the watch-rule hook of one batch: loads what the rules need about the batch's people
 * once, in the batch's transaction, so that the hook itself stays synchronous.
 */
export type WatchRulePreparer = (
  tx: Executor,
  personIds: string[],
  now: Date,
) => Promise<WatchRuleHook>;

export interface BatchOptions {
  registry: RegistryIndex;
  rules: FileRules;
  now: Date;
  reopenWindowHours: number;
  notifier?: CaseNotifier | undefined;
  calendar?: BusinessCalendar | undefined;
  watchRule?: WatchRulePreparer | undefined;
  /** Watchlist windows and time zone for intake's watch reasons; the configuration defaults when absent. */
  watch?: WatchlistContext | undefined;
}

export interface BatchCounts {
  accepted: number;
  suppressed: number;
  matchedCritical: number;
  duplicates: number;
  throttled: number;
  casesOpened: number;
  casesUpdated: number;
}

interface Person {
  department: string | null;
  hireDate: string | null;
}

/**
 * Stores one batch of file events and acts on it, in the caller's transaction, with a fixed
 * number of statements: resolve subjects, skip stored events, add the daily totals, score them
 * against the baselines, insert the events in one multi-row statement, and hand one alert per
 * subject worth a case to intake.
 */
export async function processFileEventBatch(
  tx: Executor,
  batch: readonly FileEvent[],
  options: BatchOptions,
): Promise<BatchCounts> {
  const counts: BatchCounts = {
    accepted: batch.length,
    suppressed: 0,
    matchedCritical: 0,
    duplicates: 0,
    throttled: 0,
    casesOpened: 0,
    casesUpdated: 0,
  };
  const subjects = await resolveSubjects(
    tx,
    batch.map((event) => event.signal.subject),
  );
  const persons = await loadPersons(tx, subjects);
  const fresh = await skipStoredEvents(tx, batch, counts);
  const watchRule = await options.watchRule?.(
    tx,
    subjects.flatMap((subject) => subject.personId ?? []),
    options.now,
  );

  const rows: Array<typeof fileEvents.$inferInsert> = [];
  const increments = new Map<string, DailyActivity>();
  const findings = new Map<string, SubjectFindings>();
  const activityOf: Array<string | null> = [];

  for (const index of fresh) {
    const event = batch[index]!;
    const subject = subjects[index]!;
    const person = subject.personId === null ? undefined : persons.get(subject.personId);
    const ruleEvent = {
      ...event,
      userIds: event.signal.subject.externalIds,
    };
    const suppression = findSuppression(options.rules, ruleEvent);
    const critical = options.registry.match(event.sha256, event.md5);
    if (critical !== null) counts.matchedCritical++;
    if (suppression !== null) counts.suppressed++;

    rows.push({
      source: event.signal.source,
      eventId: event.eventId,
      observedAt: event.observedAt,
      subjectKey: subject.key,
      userEmail: event.userEmail,
      department: person?.department ?? null,
      device: event.device,
      action: event.action,
      fileName: event.fileName,
      filePath: event.filePath,
      sha256: event.sha256,
      md5: event.md5,
      fileCategory: event.fileCategory,
      sizeBytes: event.sizeBytes,
      destinationCategory: event.destinationCategory,
      destinationName: event.destinationName,
      domains: event.domains,
      process: event.process,
      severity: event.signal.severity,
      riskScore: event.signal.riskScore,
      criticalFileId: critical?.id ?? null,
      suppressedBy: suppression?.name ?? null,
      receivedAt: options.now,
    });
    if (suppression !== null) {
      activityOf.push(null);
      continue;
    }

    const activity: DailyActivity = {
      subjectKey: subject.key,
      day: utcDay(event.observedAt),
      fileCategory: event.fileCategory ?? UNKNOWN_CATEGORY,
      destinationCategory: event.destinationCategory ?? UNKNOWN_CATEGORY,
      department: person?.department ?? null,
      events: 1,
      bytes: event.sizeBytes ?? 0,
    };
    const key = activityKey(activity);
    const total = increments.get(key);
    if (total === undefined) increments.set(key, activity);
    else {
      total.events++;
      total.bytes += activity.bytes;
    }
    activityOf.push(key);

    const found = findingsFor(findings, subject, activity.day);
    found.events.push(event);
    if (critical !== null) found.critical.push({ event, entry: critical });
    const flag = findFlag(options.rules, ruleEvent);
    if (flag !== null) found.flags.add(flag.name);
    const watch = watchRule?.({
      event,
      subjectKey: subject.key,
      personId: subject.personId,
    });
    if (watch != null) found.watches.add(watch);
  }

  const totals = await addDailyActivity(tx, [...increments.values()]);
  const scores = await scoreActivity(tx, totals, persons, subjectPersons(subjects), options.rules);
  rows.forEach((row, position) => {
    const key = activityOf[position];
    const score = key == null ? undefined : scores.get(key);
    row.anomalyFactor = score?.factor ?? null;
  });
  if (rows.length > 0) await tx.insert(fileEvents).values(rows).onConflictDoNothing();

  for (const [key, score] of scores) {
    if (score.finding === null) continue;
    const subjectKey = key.split('\u0000')[0]!;
    const day = key.split('\u0000')[1]!;
    findings.get(`${subjectKey}\u0000${day}`)?.anomalies.push(score.finding);
  }
  await openCases(tx, [...findings.values()].filter(isWorthACase), options, counts);
  return counts;
}

function findingsFor(
  findings: Map<string, SubjectFindings>,
  subject: ResolvedSubject,
  day: string,
): SubjectFindings {
  const key = `${subject.key}\u0000${day}`;
  let found = findings.get(key);
  if (found === undefined) {
    found = {
      subjectKey: subject.key,
      day,
      events: [],
      critical: [],
      anomalies: [],
      flags: new Set(),
      watches: new Set(),
    };
    findings.set(key, found);
  }
  return found;
}

function subjectPersons(subjects: readonly ResolvedSubject[]): Map<string, string | null> {
  return new Map(subjects.map((subject) => [subject.key, subject.personId]));
}

async function loadPersons(
  tx: Executor,
  subjects: readonly ResolvedSubject[],
): Promise<Map<string, Person>> {
  const ids = [...new Set(subjects.flatMap((subject) => subject.personId ?? []))];
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: people.id, department: people.department, hireDate: people.hireDate })
    .from(people)
    .where(inArray(people.id, ids));
  return new Map(
    rows.map((row) => [row.id, { department: row.department, hireDate: row.hireDate }]),
  );
}

/**
 * Returns the positions of the events not stored yet, and counts the others as duplicates:
 * repeats within the batch and events already in `file_events` (same source, id and time).
 */
async function skipStoredEvents(
  tx: Executor,
  batch: readonly FileEvent[],
  counts: BatchCounts,
): Promise<number[]> {
  const times = batch.map((event) => event.observedAt.getTime());
  const stored = await tx
    .select({ eventId: fileEvents.eventId, observedAt: fileEvents.observedAt })
    .from(fileEvents)
    .where(
      and(
        eq(fileEvents.source, 'incydr'),
        inArray(fileEvents.eventId, [...new Set(batch.map((event) => event.eventId))]),
        // Bounds the lookup to the batch's days, so that only their partitions are scanned.
        gte(fileEvents.observedAt, new Date(Math.min(...times))),
        lte(fileEvents.observedAt, new Date(Math.max(...times))),
      ),
    );
  const seen = new Set(stored.map((row) => `${row.eventId}\u0000${row.observedAt.getTime()}`));
  const fresh: number[] = [];
  batch.forEach((event, index) => {
    const key = `${event.eventId}\u0000${event.observedAt.getTime()}`;
    if (seen.has(key)) {
      counts.duplicates++;
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
async function openCases(
  tx: Executor,
  worthy: SubjectFindings[],
  options: BatchOptions,
  counts: BatchCounts,
): Promise<void> {
  if (worthy.length === 0) return;
  const keys = [...new Set(worthy.map((found) => found.subjectKey))];
  const openRows = await tx
    .select({ subjectKey: cases.subjectKey })
    .from(cases)
    .where(and(inArray(cases.subjectKey, keys), ne(cases.state, 'closed')));
  const withOpenCase = new Set(openRows.map((row) => row.subjectKey));
  const { maxNewCases, windowHours } = options.rules.throttle;
  const since = new Date(options.now.getTime() - windowHours * 3_600_000);
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

  const alerts = allowed.map((found) => buildFileAlert(found, options.rules));
  const results = await ingestBatch(tx, alerts, {
    reopenWindowHours: options.reopenWindowHours,
    now: options.now,
    notifier: options.notifier,
    calendar: options.calendar,
    watch: options.watch,
  });
  const openings: Array<typeof fileCaseOpenings.$inferInsert> = [];
  results.forEach((result, index) => {
    if (result.outcome === 'created') {
      counts.casesOpened++;
      openings.push({
        subjectKey: allowed[index]!.subjectKey,
        caseId: result.caseId!,
        openedAt: options.now,
      });
    } else if (result.outcome === 'grouped') counts.casesUpdated++;
  });
  if (openings.length > 0) await tx.insert(fileCaseOpenings).values(openings).onConflictDoNothing();
}
