import { desc, eq, sql } from 'drizzle-orm';
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
  destination: string | null;
  fileName: string | null;
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
 * and the signals (alerts from any feed) that list a file with it. File-activity alerts that the
 * volume path wrote are left out, since their events are listed themselves.
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

  const events = await db
    .select()
    .from(fileEvents)
    .where(kind === 'sha256' ? eq(fileEvents.sha256, hash) : eq(fileEvents.md5, hash))
    .orderBy(desc(fileEvents.observedAt))
    .limit(limit + 1);
  const alerts = await db
    .select()
    .from(signals)
    .where(
      sql`${signals.kind} <> 'incydr.file-activity' and ${signals.signal}->'files' @> ${JSON.stringify([{ [kind]: hash }])}::jsonb`,
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
      destination: row.destinationName ?? row.destinationCategory,
      fileName: row.fileName,
    })),
    ...alerts.map((row) => {
      const signal = row.signal as {
        subject?: { email?: string | null; externalIds?: string[] };
        destination?: { name?: string | null; category?: string | null } | null;
        files?: Array<{ name?: string | null; sha256?: string | null; md5?: string | null }>;
      };
      const file = signal.files?.find((candidate) => candidate[kind] === hash);
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
