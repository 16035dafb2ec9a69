import { fileURLToPath } from 'node:url';

/** Fields of a synthetic Incydr v2 file event; everything else gets a plausible default. */
export interface FileEventFields {
  id: string;
  time: string;
  email: string;
  category?: string | null;
  sizeBytes?: number;
  destinationCategory?: string | null;
  destinationName?: string | null;
  sha256?: string | null;
  md5?: string | null;
  recipients?: string[];
  process?: string | null;
  device?: string;
  severity?: string;
}

/** Builds a record in the shape of the Incydr v2 file-events search, with only the fields we read. */
export function makeFileEventRecord(fields: FileEventFields): Record<string, unknown> {
  return {
    '@timestamp': fields.time,
    event: { id: fields.id, action: 'file-uploaded', observer: 'Endpoint' },
    user: { email: fields.email, id: `id-${fields.email}`, deviceUid: 'device-uid-1' },
    file: {
      name: `${fields.id}.bin`,
      directory: 'C:/Users/example/',
      category: fields.category === undefined ? 'Document' : fields.category,
      sizeInBytes: fields.sizeBytes ?? 1000,
      hash: { md5: fields.md5 ?? null, sha256: fields.sha256 ?? null },
    },
    source: { name: fields.device ?? 'LAPTOP-1' },
    destination: {
      category:
        fields.destinationCategory === undefined ? 'Cloud Storage' : fields.destinationCategory,
      name: fields.destinationName === undefined ? 'Dropbox' : fields.destinationName,
      email: { recipients: fields.recipients ?? null },
      domains: [],
      tabs: [],
    },
    process: { executable: fields.process ?? null },
    risk: { score: 3, severity: fields.severity ?? 'LOW', indicators: [] },
  };
}

/** The path of the corpus search page with a Salesforce download and a Gmail upload. */
export const saasFileEventsPage = fileURLToPath(
  new URL(
    '../fixtures/feeds/incydr/file-events-v2-search-saas-salesforce-gmail.json',
    import.meta.url,
  ),
);
