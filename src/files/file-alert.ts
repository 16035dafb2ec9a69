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

/** The findings of one batch about one subject and day that may make a case worth opening. */
export interface SubjectFindings {
  subjectKey: string;
  day: string;
  events: FileEvent[];
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

/**
 * Builds the signal that puts a subject's file activity on their case. One signal per subject and
 * UTC day: a later batch with new findings stores a new version of it, which joins the same case.
 * The raw record holds only the findings, so a batch that finds nothing new is a duplicate.
 */
export function buildFileAlert(findings: SubjectFindings, rules: FileRules): Signal {
  const priority = alertPriority(findings, rules);
  const criticalIds = [...new Set(findings.critical.map((item) => item.entry.id))].sort();
  const anomalies = [...findings.anomalies].sort((a, b) => b.factor - a.factor);
  const latest = findings.events.reduce((a, b) => (a.observedAt >= b.observedAt ? a : b));
  const notable = findings.critical[0]?.event ?? latest;

  const files: SignalFile[] = [];
  const seen = new Set<string>();
  for (const event of [...findings.critical.map((item) => item.event), ...findings.events]) {
    const key = event.sha256 ?? event.md5 ?? event.eventId;
    if (seen.has(key) || files.length >= MAX_ALERT_FILES) continue;
    seen.add(key);
    files.push(event.signal.files[0]!);
  }

  return {
    source: 'incydr',
    kind: 'incydr.file-activity',
    externalId: `file-activity:${findings.subjectKey}:${findings.day}`,
    subject: latest.signal.subject,
    observedAt: latest.observedAt,
    severity: priority,
    riskScore: Math.max(...findings.events.map((event) => event.signal.riskScore ?? 0)),
    title: describeFindings(findings, anomalies, criticalIds.length),
    indicators: [
      ...(criticalIds.length > 0 ? ['Critical file'] : []),
      ...anomalies.map(
        (anomaly) => `Anomaly: ${anomaly.fileCategory} to ${anomaly.destinationCategory}`,
      ),
      ...[...findings.flags].map((name) => `File rule: ${name}`),
      ...[...findings.watches].map((name) => `Watch rule: ${name}`),
    ],
    files,
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
  if (criticalCount === 1) parts.push(t('en', 'files.criticalOne'));
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
