import type { Priority } from '../../workflows/case-events.ts';
import { t } from '../chat/messages/index.ts';
import type { Signal, SignalFile } from '../feeds/signal.ts';
import { maxPriority } from '../intake/priority.ts';
import type { CriticalFileRow } from '../store/schema-files.ts';
import type { Sensitivity } from './critical-file-registry.ts';
import { UNKNOWN_CATEGORY } from './daily-activity.ts';
import type { FileEvent } from './file-event.ts';
import { type FileRules, priorityForFactor } from './file-rules.ts';

/** An anomalous day of one file and destination category. */
export interface AnomalyFinding {
  fileCategory: string;
  destinationCategory: string;
  /** Whose normal volume the day was compared with. */
  baseline: 'person' | 'department';
  factor: number;
  metric: 'events' | 'bytes';
  events: number;
  bytes: number;
}

/**
 * The findings of one unit of ingest about one subject and day that may make a case worth
 * opening. It keeps a bounded sample of the events, so that its size does not grow with them.
 */
export interface SubjectFindings {
  subjectKey: string;
  day: string;
  /** The newest event. */
  latest: FileEvent;
  /** The highest risk score of the events. */
  riskScore: number;
  /** Distinct files of the events, at most MAX_ALERT_FILES, by `fileKey`. */
  files: Map<string, SignalFile>;
  critical: Array<{ event: FileEvent; entry: CriticalFileRow }>;
  anomalies: AnomalyFinding[];
  /** Names of the flag rules that matched. */
  flags: Set<string>;
  /** Names of the watch rules that matched. */
  watches: Set<string>;
}

export function isWorthACase(findings: SubjectFindings): boolean {
  return (
    findings.critical.length > 0 ||
    findings.anomalies.length > 0 ||
    findings.flags.size > 0 ||
    findings.watches.size > 0
  );
}

/** The maximum number of files one alert lists; the count in the title covers the rest. */
const MAX_ALERT_FILES = 20;

/** Starts the findings of a subject and day with their first event. */
export function startFindings(subjectKey: string, day: string, event: FileEvent): SubjectFindings {
  return {
    subjectKey,
    day,
    latest: event,
    riskScore: event.signal.riskScore ?? 0,
    files: new Map(
      event.signal.files[0] === undefined ? [] : [[fileKey(event), event.signal.files[0]]],
    ),
    critical: [],
    anomalies: [],
    flags: new Set(),
    watches: new Set(),
  };
}

/** Adds a further event of the same subject and day to the findings. */
export function noteEvent(findings: SubjectFindings, event: FileEvent): void {
  if (event.observedAt.getTime() > findings.latest.observedAt.getTime()) findings.latest = event;
  findings.riskScore = Math.max(findings.riskScore, event.signal.riskScore ?? 0);
  const file = event.signal.files[0];
  if (file !== undefined && findings.files.size < MAX_ALERT_FILES)
    findings.files.set(fileKey(event), file);
}

function fileKey(event: FileEvent): string {
  return event.sha256 ?? event.md5 ?? event.eventId;
}

/**
 * Builds the signal that puts a subject's file activity on their case. One signal per subject and
 * UTC day: a later batch with new findings stores a new version of it, which joins the same case.
 * The raw record holds only the findings, so a batch that finds nothing new is a duplicate.
 */
export function buildFileAlert(findings: SubjectFindings, rules: FileRules): Signal {
  const priority = alertPriority(findings, rules);
  const criticalIds = [...new Set(findings.critical.map((item) => item.entry.id))].sort();
  const anomalies = [...findings.anomalies].sort((a, b) => b.factor - a.factor);
  const latest = findings.latest;
  const notable = findings.critical[0]?.event ?? latest;

  const files = new Map<string, SignalFile>();
  for (const { event } of findings.critical) files.set(fileKey(event), event.signal.files[0]!);
  for (const [key, file] of findings.files) {
    if (files.size >= MAX_ALERT_FILES) break;
    if (!files.has(key)) files.set(key, file);
  }

  return {
    source: 'incydr',
    kind: 'incydr.file-activity',
    externalId: `file-activity:${findings.subjectKey}:${findings.day}`,
    subject: latest.signal.subject,
    observedAt: latest.observedAt,
    severity: priority,
    riskScore: findings.riskScore,
    title: describeFindings(findings, anomalies, criticalIds.length),
    indicators: [
      ...(criticalIds.length > 0 ? ['Critical file'] : []),
      ...anomalies.map(
        (anomaly) => `Anomaly: ${anomaly.fileCategory} to ${anomaly.destinationCategory}`,
      ),
      ...[...findings.flags].map((name) => `File rule: ${name}`),
      ...[...findings.watches].map((name) => `Watch rule: ${name}`),
    ],
    files: [...files.values()].slice(0, MAX_ALERT_FILES),
    destination:
      notable.destinationCategory === null && notable.destinationName === null
        ? null
        : { category: notable.destinationCategory, name: notable.destinationName },
    raw: {
      day: findings.day,
      criticalFileIds: criticalIds,
      anomalies: anomalies.map((anomaly) => ({
        fileCategory: anomaly.fileCategory,
        destinationCategory: anomaly.destinationCategory,
        baseline: anomaly.baseline,
        metric: anomaly.metric,
        // Whole factors, so that a batch that only nudges the volume stores no new version.
        factor: Math.round(anomaly.factor),
      })),
      flags: [...findings.flags].sort(),
      watches: [...findings.watches].sort(),
    },
  };
}

function alertPriority(findings: SubjectFindings, rules: FileRules): Priority {
  let priority: Priority = 'low';
  for (const { entry } of findings.critical) {
    priority = maxPriority(
      priority,
      rules.thresholds.criticalFilePriority[entry.sensitivity as Sensitivity] ?? 'high',
    );
  }
  for (const anomaly of findings.anomalies) {
    priority = maxPriority(priority, priorityForFactor(rules, anomaly.factor));
  }
  if (findings.flags.size > 0 || findings.watches.size > 0) {
    priority = maxPriority(priority, rules.thresholds.flagPriority);
  }
  return priority;
}

/** Writes the findings in words, e.g. "9× this person's normal volume of source code". */
export function describeFindings(
  findings: SubjectFindings,
  anomalies: readonly AnomalyFinding[],
  criticalCount: number,
): string {
  const parts: string[] = [];
  const top = anomalies[0];
  if (top !== undefined) {
    const params = { factor: formatFactor(top.factor), category: categoryWords(top.fileCategory) };
    const text =
      top.baseline === 'person'
        ? t('en', 'files.anomaly.person', params)
        : t('en', 'files.anomaly.department', params);
    parts.push(
      top.destinationCategory === UNKNOWN_CATEGORY
        ? text
        : t('en', 'files.anomaly.destination', { text, destination: top.destinationCategory }),
    );
  }
  const onlyCritical = findings.critical[0]?.entry;
  if (criticalCount === 1 && onlyCritical !== undefined)
    parts.push(t('en', 'files.criticalOne', { label: onlyCritical.label }));
  if (criticalCount > 1) parts.push(t('en', 'files.critical', { count: criticalCount }));
  for (const rule of findings.flags) parts.push(t('en', 'files.flag', { rule }));
  for (const rule of findings.watches) parts.push(t('en', 'files.watch', { rule }));
  return t('en', 'files.title', { summary: parts.join('; ') });
}

function formatFactor(factor: number): string {
  return factor >= 10 ? String(Math.round(factor)) : String(Math.round(factor * 10) / 10);
}

/** "SourceCode" → "source code"; Incydr's categories are camel case. */
export function categoryWords(category: string): string {
  if (category === UNKNOWN_CATEGORY) return 'files of unknown type';
  return category
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}
