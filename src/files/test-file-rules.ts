import { toFileEvent } from './file-event.ts';
import { type FileRules, findFlag, findSuppression } from './file-rules.ts';
import { type FileEventInput, readFileEventInput } from './read-file-event-input.ts';

/** The outcome of a rule set for one event. */
export interface RuleVerdict {
  index: number;
  eventId: string | null;
  user: string | null;
  verdict: 'suppress' | 'flag' | 'pass' | 'rejected';
  /** The matching rule's name, or the reason a record was rejected. */
  rule: string | null;
}

export interface RuleTestReport {
  suppressed: number;
  flagged: number;
  passed: number;
  rejected: number;
  verdicts: RuleVerdict[];
}

/**
 * Applies a rule set to file events without storing anything: each event is suppressed (the first
 * matching suppression rule wins), flagged (the first matching flag rule), or passed on to the
 * registry and baseline checks. Suppression is checked first, as ingest does.
 */
export async function testFileRules(
  rules: FileRules,
  input: FileEventInput,
): Promise<RuleTestReport> {
  const report: RuleTestReport = {
    suppressed: 0,
    flagged: 0,
    passed: 0,
    rejected: 0,
    verdicts: [],
  };
  for await (const record of readFileEventInput(input)) {
    const outcome =
      'error' in record ? { ok: false as const, reason: record.error } : toFileEvent(record.value);
    if (!outcome.ok) {
      report.rejected++;
      report.verdicts.push({
        index: record.index,
        eventId: null,
        user: null,
        verdict: 'rejected',
        rule: outcome.reason,
      });
      continue;
    }
    const event = outcome.event;
    const suppression = findSuppression(rules, event);
    const flag = suppression === null ? findFlag(rules, event) : null;
    let verdict: RuleVerdict['verdict'] = 'pass';
    if (suppression !== null) verdict = 'suppress';
    else if (flag !== null) verdict = 'flag';
    if (verdict === 'suppress') report.suppressed++;
    else if (verdict === 'flag') report.flagged++;
    else report.passed++;
    report.verdicts.push({
      index: record.index,
      eventId: event.eventId,
      user: event.userEmail,
      verdict,
      rule: suppression?.name ?? flag?.name ?? null,
    });
  }
  return report;
}
