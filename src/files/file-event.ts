import { parseIncydrFileEvent } from '../feeds/incydr-file-event.ts';
import type { Signal } from '../feeds/signal.ts';

/** A file event as the volume path stores and judges it. */
export interface FileEvent {
  signal: Signal;
  eventId: string;
  observedAt: Date;
  action: string | null;
  device: string | null;
  fileName: string | null;
  filePath: string | null;
  sha256: string | null;
  md5: string | null;
  fileCategory: string | null;
  sizeBytes: number | null;
  destinationCategory: string | null;
  destinationName: string | null;
  /** Lower-cased domains the file went to. */
  domains: string[];
  /** The executable that moved the file, as the endpoint agent reports it. */
  process: string | null;
  /** The user e-mail or id the source names, lower-cased. */
  userEmail: string | null;
  /** The user ids the source names, lower-cased; suppression rules match them. */
  userIds: readonly string[];
}

export type FileEventOutcome = { ok: true; event: FileEvent } | { ok: false; reason: string };

/** The `raw` value of a file event's signal: empty, because toFileEvent does not keep the record. */
const NO_RAW_RECORD = Object.freeze({});

/**
 * Parses one Incydr v2 file event: the feed parser validates and normalises it, and the fields
 * that the noise rules and the registry need (device, process, domains) are read from the record.
 * The event's signal does not keep the record (`raw` is empty): at volume, holding millions of
 * parsed records until their rows are stored would cost memory and garbage collection, and
 * everything stored or judged is taken out here.
 */
export function toFileEvent(record: unknown): FileEventOutcome {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { ok: false, reason: 'record is not a JSON object; expected an Incydr file event' };
  }
  const outcome = parseIncydrFileEvent(record);
  if (!outcome.ok) return outcome;
  const signal = outcome.signal;
  signal.raw = NO_RAW_RECORD;
  const raw = record as IncydrRecord;
  const file = signal.files[0];

  return {
    ok: true,
    event: {
      signal,
      eventId: signal.externalId,
      observedAt: signal.observedAt,
      action: text(raw.event?.action),
      device: text(raw.source?.name) ?? text(raw.user?.deviceUid),
      fileName: file?.name ?? null,
      filePath: file?.path ?? null,
      sha256: file?.sha256 ?? null,
      md5: file?.md5 ?? null,
      fileCategory: file?.category ?? null,
      sizeBytes: file?.sizeBytes ?? null,
      destinationCategory: signal.destination?.category ?? null,
      destinationName: signal.destination?.name ?? null,
      domains: destinationDomains(raw),
      process: text(raw.process?.executable),
      userEmail: signal.subject.email ?? signal.subject.externalIds[0] ?? null,
      userIds: signal.subject.externalIds,
    },
  };
}

/** The parts of an Incydr file event read here; every field may be absent or null. */
interface IncydrRecord {
  event?: { action?: unknown };
  user?: { deviceUid?: unknown };
  source?: { name?: unknown };
  process?: { executable?: unknown };
  destination?: {
    domains?: unknown;
    email?: { recipients?: unknown };
    tabs?: unknown;
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Collects destination domains, the domains of e-mail recipients and the hosts of browser tabs. */
function destinationDomains(raw: IncydrRecord): string[] {
  const found = new Set<string>();
  const destination = raw.destination;
  for (const domain of arrayOf(destination?.domains)) {
    const value = text(domain);
    if (value !== null) found.add(value.toLowerCase());
  }
  for (const recipient of arrayOf(destination?.email?.recipients)) {
    const value = text(recipient);
    const at = value?.lastIndexOf('@') ?? -1;
    if (value !== null && at > 0) found.add(value.slice(at + 1).toLowerCase());
  }
  for (const tab of arrayOf(destination?.tabs)) {
    const url = text((tab as { url?: unknown } | null)?.url);
    if (url === null || !URL.canParse(url)) continue;
    found.add(new URL(url).hostname.toLowerCase());
  }
  return [...found];
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
