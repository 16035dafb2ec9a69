import type { SignalFact, SignalFactKind } from '../../workflows/watch-rules.ts';
import type { Signal } from '../feeds/signal.ts';

/**
 * Indicator and destination names per fact, matched case-insensitively. The names are those the
 * feeds send: Incydr risk indicators ("Removable media", "Dropbox upload", "Source code"),
 * Incydr destination categories ("Removable Media", "Cloud Storage") and the generic webhook's
 * kebab-case indicators ("removable-media").
 */
const patterns: Record<Exclude<SignalFactKind, 'source_code'>, RegExp> = {
  removable_media: /removable[ -]?media|\busb\b/i,
  personal_cloud:
    /personal[ -]?cloud|cloud[ -]?storage|dropbox|google[ -]?drive upload|icloud|personal onedrive/i,
  personal_email: /personal[ -]?(e-?mail|webmail)|webmail/i,
  critical_file: /critical[ -]?file/i,
  volume_anomaly: /volume[ -]?anomal|unusual (volume|amount)|(file|data)[ -]?volume/i,
};
const sourceCodeIndicator = /source[ -]?code/i;
const sourceCodeCategory = /^source[ -]?code$/i;

export interface SignalFactOptions {
  /** Lower-cased SHA-256 hashes of the critical-file registry; a signal with such a file has the critical_file fact. */
  criticalHashes?: ReadonlySet<string>;
}

/**
 * Derives the facts that watch rules react to from a normalised signal: its indicators, its
 * files' categories and hashes, and its destination. Counts come from the files, or for an Incydr
 * session from the event count of the matching risk indicator.
 */
export function deriveSignalFacts(signal: Signal, options: SignalFactOptions = {}): SignalFact[] {
  const destination = [signal.destination?.category, signal.destination?.name].filter(
    (part): part is string => typeof part === 'string',
  );
  const facts: SignalFact[] = [];

  for (const kind of Object.keys(patterns) as Array<keyof typeof patterns>) {
    const pattern = patterns[kind];
    const indicator = signal.indicators.find((name) => pattern.test(name));
    const toDestination = destination.some((part) => pattern.test(part));
    if (indicator === undefined && !toDestination) continue;
    facts.push({ kind, count: countFor(signal, pattern) });
  }

  const sourceFiles = signal.files.filter(
    (file) => file.category !== null && sourceCodeCategory.test(file.category),
  );
  const sourceIndicator = signal.indicators.find((name) => sourceCodeIndicator.test(name));
  if (sourceFiles.length > 0) facts.push({ kind: 'source_code', count: sourceFiles.length });
  else if (sourceIndicator !== undefined) {
    facts.push({ kind: 'source_code', count: sessionEventCount(signal, sourceCodeIndicator) });
  }

  const critical = options.criticalHashes;
  if (critical !== undefined && !facts.some((fact) => fact.kind === 'critical_file')) {
    const matched = signal.files.filter(
      (file) => file.sha256 !== null && critical.has(file.sha256.toLowerCase()),
    );
    if (matched.length > 0) facts.push({ kind: 'critical_file', count: matched.length });
  }
  return facts;
}

function countFor(signal: Signal, pattern: RegExp): number | null {
  if (signal.files.length > 0) return signal.files.length;
  return sessionEventCount(signal, pattern);
}

/**
 * Reads `eventCount` of the Incydr session risk indicator that matches, from the raw record.
 * Rule names are indicators too but carry no count.
 */
function sessionEventCount(signal: Signal, pattern: RegExp): number | null {
  if (signal.kind !== 'incydr.session') return null;
  const raw = signal.raw as { riskIndicators?: Array<{ name?: unknown; eventCount?: unknown }> };
  const match = raw.riskIndicators?.find(
    (entry) => typeof entry.name === 'string' && pattern.test(entry.name),
  );
  const count = match?.eventCount;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : null;
}
