import type { Severity } from '../feeds/signal.ts';
import { severities } from '../feeds/signal.ts';
import { formatTime, type Locale, t } from './messages/index.ts';
import { severityLabel } from './messages/labels.ts';

/** A signal of a case as the views show it: what happened, never the raw record. */
export interface SignalSummary {
  source: string;
  title: string;
  severity: Severity;
  /** ISO 8601 time of the activity. */
  observedAt: string;
  indicators: string[];
  fileCount: number;
  /** Where the data went (a cloud service, removable media), or null when the feed names none. */
  destination: string | null;
  /** The source's risk score on its own scale, or null. */
  riskScore: number | null;
}

export interface EvidenceItem {
  title: string;
  severity: Severity;
  /** Severity, source, time, file count, destination and risk score on one line. */
  detail: string;
  /** The indicator names on one line, or null when the signal has none. */
  indicators: string | null;
}

export interface EvidenceView {
  heading: string;
  items: EvidenceItem[];
  /** The line that counts the signals left out, or null when all are listed. */
  more: string | null;
}

/** A function that replaces text that could identify the subject; security views swap in the pseudonym. */
export type Redact = (text: string) => string;

/** Orders signals for reading: the most severe first, then the most recent. */
function compareSignals(a: SignalSummary, b: SignalSummary): number {
  const bySeverity = severities.indexOf(b.severity) - severities.indexOf(a.severity);
  if (bySeverity !== 0) return bySeverity;
  return b.observedAt.localeCompare(a.observedAt);
}

function describeSignal(signal: SignalSummary, locale: Locale, redact: Redact): EvidenceItem {
  const parts = [
    t(locale, 'evidence.detail', {
      severity: severityLabel(locale, signal.severity),
      source: redact(signal.source),
      observedAt: formatTime(signal.observedAt),
    }),
  ];
  if (signal.fileCount === 1) parts.push(t(locale, 'evidence.fileOne'));
  if (signal.fileCount > 1) parts.push(t(locale, 'evidence.files', { count: signal.fileCount }));
  if (signal.destination !== null) {
    parts.push(t(locale, 'evidence.destination', { destination: redact(signal.destination) }));
  }
  if (signal.riskScore !== null)
    parts.push(t(locale, 'evidence.riskScore', { score: signal.riskScore }));

  const indicators =
    signal.indicators.length === 0
      ? null
      : t(locale, 'evidence.indicators', { indicators: redact(signal.indicators.join(', ')) });

  return {
    title: redact(signal.title),
    severity: signal.severity,
    detail: parts.join(' · '),
    indicators,
  };
}

/** Lists the `maxItems` most severe and recent signals and counts the ones left out. */
export function buildEvidence(
  signals: readonly SignalSummary[],
  options: { locale: Locale; caseKey: string; maxItems: number; redact: Redact },
): EvidenceView {
  const { locale } = options;
  const sorted = [...signals].sort(compareSignals);
  const shown = sorted.slice(0, Math.max(0, options.maxItems));
  const omitted = sorted.length - shown.length;

  let heading: string;
  if (signals.length === 0) heading = t(locale, 'evidence.none');
  else if (signals.length === 1) heading = t(locale, 'evidence.headingOne');
  else heading = t(locale, 'evidence.heading', { count: signals.length });

  return {
    heading,
    items: shown.map((signal) => describeSignal(signal, locale, options.redact)),
    more: omitted > 0 ? t(locale, 'evidence.more', { count: omitted, key: options.caseKey }) : null,
  };
}

/**
 * Builds a function that replaces the subject's e-mail address, the local part of it and their
 * name with `replacement`, ignoring case. Only whole words match, and parts shorter than three
 * characters are left alone, so that a short name such as "Ann" does not garble "Annual".
 * NOTE: a first name or surname alone ("Dana", "Lee") is not replaced; only the full name is.
 */
export function identityRedactor(
  subject: { name: string | null; email: string | null },
  replacement: string,
): Redact {
  const terms = new Set<string>();
  const email = subject.email?.trim();
  if (email) {
    terms.add(email);
    const local = email.split('@')[0] ?? '';
    terms.add(local);
    terms.add(local.replace(/[._-]+/g, ' '));
  }
  const name = subject.name?.trim();
  if (name) terms.add(name);

  const patterns = [...terms]
    .filter((term) => term.length >= 3)
    // Longest first, so the whole address is replaced before its local part.
    .sort((a, b) => b.length - a.length)
    .map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  if (patterns.length === 0) return (text) => text;

  // Letters and digits of any script count as word characters; `\b` would only know ASCII ones.
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${patterns.join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  return (text) => text.replace(pattern, replacement);
}
