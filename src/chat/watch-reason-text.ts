import type { SignalFact, SignalFactKind } from '../../workflows/watch-rules.ts';
import { watchActions } from '../../workflows/watch-rules.ts';
import type { StoredWatchReason } from '../intake/watch-reason.ts';
import { type Locale, type MessageKey, t } from './messages/index.ts';

/** Facts that say where data went; a source-code count describes what went there. */
const destinations: readonly SignalFactKind[] = [
  'removable_media',
  'personal_cloud',
  'personal_email',
];

const factKeys = {
  removable_media: 'watch.fact.removableMedia',
  personal_cloud: 'watch.fact.personalCloud',
  personal_email: 'watch.fact.personalEmail',
  source_code: 'watch.fact.sourceCode',
  critical_file: 'watch.fact.criticalFile',
} as const satisfies Record<Exclude<SignalFactKind, 'volume_anomaly'>, MessageKey>;

/**
 * Picks the reason a case card shows: the one of the strongest watch action among its signals,
 * and of those the last one. Returns null when no signal matched a watch rule.
 */
export function strongestWatchReason(
  reasons: ReadonlyArray<StoredWatchReason | null>,
): StoredWatchReason | null {
  let best: StoredWatchReason | null = null;
  for (const reason of reasons) {
    if (reason === null) continue;
    if (best === null || watchActions.indexOf(reason.action) >= watchActions.indexOf(best.action)) {
      best = reason;
    }
  }
  return best;
}

/**
 * Describes in one sentence why a watched subject's signal matters, such as "Departing in 12 days;
 * 340 source-code files copied to removable media." It names the list and the facts, never the
 * subject, so every audience but the manager may see it.
 */
export function describeWatchReason(reason: StoredWatchReason, locale: Locale): string {
  const membership = describeMembership(reason, locale);
  const facts = describeFacts(reason.facts, locale);
  const sentence =
    facts === ''
      ? t(locale, 'watch.sentenceListOnly', { membership })
      : t(locale, 'watch.sentence', { membership, facts });
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function describeMembership(reason: StoredWatchReason, locale: Locale): string {
  if (reason.list === 'departing') {
    const days = reason.daysToLastDay;
    if (days === null) return t(locale, 'watch.departing');
    if (days > 1) return t(locale, 'watch.departingIn', { days });
    if (days === 1) return t(locale, 'watch.departingTomorrow');
    if (days === 0) return t(locale, 'watch.departingToday');
    return t(locale, 'watch.departedAgo', { days: -days });
  }
  if (reason.list === 'new-hires') {
    const days = reason.daysSinceHire;
    if (days === null || days <= 0) return t(locale, 'watch.newHireToday');
    return t(locale, 'watch.newHire', { days });
  }
  return t(locale, 'watch.custom', { list: reason.list });
}

function describeFacts(facts: SignalFact[], locale: Locale): string {
  const sourceCode = facts.find((fact) => fact.kind === 'source_code');
  const hasDestination = facts.some((fact) => destinations.includes(fact.kind));
  const parts: string[] = [];

  for (const fact of facts) {
    if (fact.kind === 'volume_anomaly') {
      parts.push(t(locale, 'watch.fact.volumeAnomaly'));
      continue;
    }
    // Source code that went to a destination is described with the destination.
    if (fact.kind === 'source_code' && hasDestination) continue;
    const source = fact.kind !== 'critical_file' && sourceCode !== undefined;
    const count = source ? (sourceCode.count ?? fact.count) : fact.count;
    parts.push(t(locale, factKeys[fact.kind], { files: describeFiles(count, source, locale) }));
  }
  return parts.join(t(locale, 'watch.factSeparator'));
}

function describeFiles(count: number | null, sourceCode: boolean, locale: Locale): string {
  if (sourceCode) {
    if (count === null) return t(locale, 'watch.sourceFiles');
    if (count === 1) return t(locale, 'watch.sourceFileOne');
    return t(locale, 'watch.sourceFilesCounted', { count });
  }
  if (count === null) return t(locale, 'watch.files');
  if (count === 1) return t(locale, 'watch.fileOne');
  return t(locale, 'watch.filesCounted', { count });
}
