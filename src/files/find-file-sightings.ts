import { and, desc, eq, or, sql } from 'drizzle-orm';
import { CasebridgeError } from '../errors.ts';
import type { Executor } from '../store/db.ts';
import { signals } from '../store/schema.ts';
import { type CriticalFileRow, criticalFiles, fileEvents } from '../store/schema-files.ts';

/** One time a file was seen: in a raw file event or in a feed alert's files. */
export interface FileSighting {
  /** `file-event` for the volume path, `alert` for a signal from any feed. */
  kind: 'file-event' | 'alert';
  source: string;
  /** The file event's or the alert's id in the source. */
  externalId: string;
  observedAt: string;
  subjectKey: string;
  /** The e-mail address or id the source names; views for security show a pseudonym instead. */
  user: string | null;
  device: string | null;
  /** The destination's name or category, or for e-mail the recipients' domains. */
  destination: string | null;
  fileName: string | null;
  /** The suppression rule that matched the file event, or null. */
  suppressedBy: string | null;
}

export interface FileSightings {
  hash: string;
  critical: CriticalFileRow | null;
  sightings: FileSighting[];
  /** True when more sightings exist than `limit`. */
  truncated: boolean;
}

/** Validates a SHA-256 or MD5 given by a person; the error names the value and the format. */
export function parseFileHash(value: string): { hash: string; kind: 'sha256' | 'md5' } {
  const hash = value.trim().toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hash)) return { hash, kind: 'sha256' };
  if (/^[0-9a-f]{32}$/.test(hash)) return { hash, kind: 'md5' };
  throw new CasebridgeError(
    'USAGE_INVALID',
    `"${value.slice(0, 80)}" is not a file hash; give a SHA-256 (64 hexadecimal digits) or an MD5 (32).`,
  );
}

/**
 * Finds every sighting of a file across feeds, newest first: the `file_events` rows with the hash
 * and the signals (alerts from any feed) that list a file with it. When the registry lists the
 * file, its other hash finds sightings too, since a source may send only one of them. File-activity
 * alerts that the volume path wrote are left out, since their events are listed themselves.
 */
export async function findFileSightings(
  db: Executor,
  hashText: string,
  limit = 100,
): Promise<FileSightings> {
  const { hash, kind } = parseFileHash(hashText);
  const [critical] = await db
    .select()
    .from(criticalFiles)
    .where(kind === 'sha256' ? eq(criticalFiles.sha256, hash) : eq(criticalFiles.md5, hash));

  const sha256 = kind === 'sha256' ? hash : (critical?.sha256 ?? null);
  const md5 = kind === 'md5' ? hash : (critical?.md5 ?? null);
  const events = await db
    .select()
    .from(fileEvents)
    .where(
      or(
        sha256 === null ? undefined : eq(fileEvents.sha256, sha256),
        md5 === null ? undefined : eq(fileEvents.md5, md5),
      ),
    )
    .orderBy(desc(fileEvents.observedAt))
    .limit(limit + 1);
  const listed = (field: 'sha256' | 'md5', value: string | null) =>
    value === null
      ? undefined
      : sql`${signals.signal}->'files' @> ${JSON.stringify([{ [field]: value }])}::jsonb`;
  const alerts = await db
    .select()
    .from(signals)
    .where(
      and(
        sql`${signals.kind} <> 'incydr.file-activity'`,
        or(listed('sha256', sha256), listed('md5', md5)),
      ),
    )
    .orderBy(desc(signals.observedAt))
    .limit(limit + 1);

  const sightings: FileSighting[] = [
    ...events.map((row) => ({
      kind: 'file-event' as const,
      source: row.source,
      externalId: row.eventId,
      observedAt: row.observedAt.toISOString(),
      subjectKey: row.subjectKey,
      user: row.userEmail,
      device: row.device,
      destination:
        row.destinationName ??
        row.destinationCategory ??
        (row.domains.length > 0 ? row.domains.join(', ') : null),
      fileName: row.fileName,
      suppressedBy: row.suppressedBy,
    })),
    ...alerts.map((row) => {
      const signal = row.signal as {
        subject?: { email?: string | null; externalIds?: string[] };
        destination?: { name?: string | null; category?: string | null } | null;
        files?: Array<{ name?: string | null; sha256?: string | null; md5?: string | null }>;
      };
      const file = signal.files?.find(
        (candidate) =>
          (sha256 !== null && candidate.sha256 === sha256) ||
          (md5 !== null && candidate.md5 === md5),
      );
      return {
        kind: 'alert' as const,
        source: row.source,
        externalId: row.externalId,
        observedAt: row.observedAt.toISOString(),
        subjectKey: row.subjectKey,
        user: signal.subject?.email ?? signal.subject?.externalIds?.[0] ?? null,
        device: null,
        destination: signal.destination?.name ?? signal.destination?.category ?? null,
        fileName: file?.name ?? null,
        suppressedBy: null,
      };
    }),
  ].sort((a, b) => b.observedAt.localeCompare(a.observedAt));

  return {
    hash,
    critical: critical ?? null,
    sightings: sightings.slice(0, limit),
    truncated: sightings.length > limit,
  };
}
