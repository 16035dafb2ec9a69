import type { Readable } from 'node:stream';
import type { IdentityAccess } from '../cases/case-service.ts';
import { loadPseudonymKey } from '../cases/pseudonym.ts';
import { callLocalApi, type LocalApiServer } from '../http/local-api-client.ts';
import { authorizeSightingIdentities } from '../privacy/authorize-sighting-identities.ts';
import type { Db } from '../store/db.ts';
import type { CriticalFileRow } from '../store/schema-files.ts';
import {
  listCriticalFiles,
  parseCriticalFile,
  parseCriticalFileCsv,
  upsertCriticalFile,
  upsertCriticalFiles,
} from './critical-file-registry.ts';
import { type FileSightings, findFileSightings } from './find-file-sightings.ts';
import {
  type FileIngestDeps,
  type FileIngestSummary,
  ingestFileEvents,
} from './ingest-file-events.ts';
import { type PseudonymousSighting, pseudonymiseSightings } from './pseudonymise-sightings.ts';

/** A registry entry as the CLI and the local API return it: the row with ISO 8601 timestamps. */
export type CriticalFileEntry = Omit<CriticalFileRow, 'createdAt' | 'updatedAt'> & {
  createdAt: string;
  updatedAt: string;
};

/** The sightings of a file as the CLI and the local API return them: each subject by pseudonym. */
export type FileSightingsReport = Omit<FileSightings, 'critical' | 'sightings'> & {
  critical: CriticalFileEntry | null;
  sightings: PseudonymousSighting[];
};

/** The outcome of a registry import: entries of the CSV, and how many added or updated a file. */
export interface RegistryImportReport {
  imported: number;
  added: number;
  updated: number;
}

/**
 * The operations of the `files` commands and the file-event ingest, run on the database itself or
 * through the local API of the server that has the embedded database open. Both return the same
 * documents.
 */
export interface FilesService {
  /** Validates an entry, then adds it to the critical-file registry or updates the entry with its hash. */
  add(entry: unknown): Promise<CriticalFileEntry>;
  /** Validates every row of a registry CSV, then stores them all in one transaction. */
  importCsv(text: string): Promise<RegistryImportReport>;
  list(): Promise<CriticalFileEntry[]>;
  /**
   * Every sighting of the file with this SHA-256 or MD5, newest first, with subjects by pseudonym.
   * Given `access`, the identities that person may see are shown too, and each view is audited.
   */
  where(hash: string, access?: IdentityAccess): Promise<FileSightingsReport>;
  /** Ingests file events: NDJSON or a `fileEvents` page, as text or a stream. */
  ingestEvents(input: string | Readable): Promise<FileIngestSummary>;
}

export interface LocalFilesDeps {
  db: Db;
  /** Called on the first ingest only, so that commands without one do not read the rule file. */
  fileIngest: () => FileIngestDeps;
  /** The clock of identity views; the system clock when absent. */
  now?: () => Date;
}

/** Builds the files service on the database of this process. */
export function localFilesService(deps: LocalFilesDeps): FilesService {
  let fileIngest: FileIngestDeps | undefined;
  return {
    async add(value) {
      const entry = parseCriticalFile(value, 'entry');
      const [row] = await deps.db.transaction((tx) => upsertCriticalFiles(tx, [entry]));
      return toEntry(row!);
    },
    async importCsv(text) {
      const entries = parseCriticalFileCsv(text);
      return deps.db.transaction(async (tx) => {
        const report = { imported: 0, added: 0, updated: 0 };
        for (const entry of entries) {
          const { created } = await upsertCriticalFile(tx, entry);
          report.imported += 1;
          if (created) report.added += 1;
          else report.updated += 1;
        }
        return report;
      });
    },
    async list() {
      return (await listCriticalFiles(deps.db)).map(toEntry);
    },
    async where(hash, access) {
      const found = await findFileSightings(deps.db, hash);
      const pseudonymKey = await loadPseudonymKey(deps.db);
      const revealed =
        access === undefined
          ? undefined
          : await authorizeSightingIdentities(deps.db, {
              subjectKeys: found.sightings.map((sighting) => sighting.subjectKey),
              hash: found.hash,
              actorEmail: access.as,
              reason: access.reason,
              now: (deps.now ?? (() => new Date()))(),
            });
      return {
        ...found,
        critical: found.critical === null ? null : toEntry(found.critical),
        sightings: await pseudonymiseSightings(deps.db, pseudonymKey, found.sightings, revealed),
      };
    },
    ingestEvents(input) {
      fileIngest ??= deps.fileIngest();
      return ingestFileEvents(fileIngest, input);
    },
  };
}

function toEntry(row: CriticalFileRow): CriticalFileEntry {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** Builds the files service that calls the local API of the server at `server.url`. */
export function remoteFilesService(server: LocalApiServer): FilesService {
  return {
    add: (entry) =>
      callLocalApi(server, {
        method: 'POST',
        path: '/api/files',
        body: { contentType: 'application/json', data: JSON.stringify(entry) },
      }),
    importCsv: (text) =>
      callLocalApi(server, {
        method: 'POST',
        path: '/api/files/import',
        body: { contentType: 'text/csv', data: text },
      }),
    list: () => callLocalApi(server, { method: 'GET', path: '/api/files' }),
    where: (hash, access) =>
      access === undefined
        ? callLocalApi(server, {
            method: 'GET',
            path: `/api/files/sightings?hash=${encodeURIComponent(hash)}`,
          })
        : callLocalApi(server, {
            method: 'POST',
            path: '/api/files/sightings/identity',
            body: { contentType: 'application/json', data: JSON.stringify({ hash, ...access }) },
          }),
    ingestEvents: (input) =>
      callLocalApi(server, {
        method: 'POST',
        path: '/api/files/events',
        body: { contentType: 'application/x-ndjson', data: input },
      }),
  };
}
