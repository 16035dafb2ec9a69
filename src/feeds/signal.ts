import type { FeedName } from '../config.ts';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const severities: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** A file involved in a signal. Vendors send null hashes for files they could not read. */
export interface SignalFile {
  name: string | null;
  path: string | null;
  sha256: string | null;
  md5: string | null;
  /** The vendor's category (e.g. "SourceCode", "Document"), as sent. */
  category: string | null;
  sizeBytes: number | null;
}

/** The person a signal is about, as the feed names them. Matching to the directory happens in intake. */
export interface SignalSubject {
  /** Lower-cased e-mail address or UPN, when the feed sends one. */
  email: string | null;
  /** Lower-cased ids of the person in the source (user names, actor ids, object ids). */
  externalIds: string[];
  displayName: string | null;
}

/** One detection normalised from any feed; the raw record is kept beside it. */
export interface Signal {
  source: FeedName;
  /** The record kind within the source, e.g. `incydr.session`, `exabeam.notable-user`. */
  kind: string;
  /** The record's id in the source; with `source` it identifies the record across updates. */
  externalId: string;
  subject: SignalSubject;
  /** When the activity happened (the first observation where the source gives a range). */
  observedAt: Date;
  severity: Severity;
  /** The source's risk score on its own scale, or null when it sends none. */
  riskScore: number | null;
  title: string;
  /** Short indicator names, e.g. rule names, risk indicators, anomaly reasons. */
  indicators: string[];
  files: SignalFile[];
  destination: { category: string | null; name: string | null } | null;
  /** The source record exactly as parsed. */
  raw: unknown;
}

export interface RejectedRecord {
  /** Zero-based position of the record in the input (line number − 1 for NDJSON). */
  index: number;
  reason: string;
}

export interface AcceptedRecord {
  index: number;
  signal: Signal;
}

export interface ParseResult {
  accepted: AcceptedRecord[];
  rejected: RejectedRecord[];
}
