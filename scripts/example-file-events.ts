/**
 * Writes the file-event example of the README: `examples/file-events/events.ndjson`, synthetic
 * Incydr v2 file events of two people of the example directory over 16 days of November 2026.
 *
 * - Maria Gomez (Engineering) uploads 9 to 11 source-code files a day to Dropbox and a few to the
 *   company's Box, which the example rules suppress. On the last day she uploads 80, one of them
 *   the critical file "Payments service source" of `examples/file-events/registry.csv`.
 * - Olivia Park (Executive) uploads 4 to 6 documents a day to Dropbox, every day alike.
 *
 * The output is the same on every run. Run with `npx tsx scripts/example-file-events.ts`.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const firstDay = Date.parse('2026-11-01T00:00:00Z');
const days = 16;
const hour = 3_600_000;
const critical = { name: 'payments-service.zip', content: 'payments service source' };

interface Upload {
  person: { email: string; device: string; folder: string };
  time: number;
  name: string;
  category: string;
  destination: string;
  size: number;
  content: string;
}

const maria = {
  email: 'maria.gomez@example.com',
  device: 'LAPTOP-MGOMEZ',
  folder: 'C:/Users/mgomez/src/',
};
const olivia = {
  email: 'olivia.park@example.com',
  device: 'LAPTOP-OPARK',
  folder: 'C:/Users/opark/Documents/',
};

const digest = (algorithm: 'sha256' | 'md5', text: string) =>
  createHash(algorithm).update(text).digest('hex');

function record(upload: Upload, id: string): Record<string, unknown> {
  const time = new Date(upload.time).toISOString();
  return {
    '@timestamp': time,
    event: { id, inserted: time, action: 'file-uploaded', observer: 'Endpoint', shareType: [] },
    user: { email: upload.person.email, id: upload.person.email, deviceUid: upload.person.device },
    file: {
      name: upload.name,
      directory: upload.person.folder,
      category: upload.category,
      sizeInBytes: upload.size,
      hash: { md5: digest('md5', upload.content), sha256: digest('sha256', upload.content) },
    },
    source: { category: 'Device', name: upload.person.device },
    destination: {
      category: 'Cloud Storage',
      name: upload.destination,
      domains: [upload.destination === 'Box' ? 'box.com' : 'dropbox.com'],
      tabs: [],
    },
    process: { executable: 'C:/Program Files/Browser/browser.exe', owner: upload.person.email },
    risk: { score: upload.content === critical.content ? 9 : 2, severity: 'LOW', indicators: [] },
  };
}

const uploads: Upload[] = [];
for (let day = 0; day < days; day++) {
  const start = firstDay + day * 24 * hour + 8 * hour;
  const last = day === days - 1;
  const code = last ? 80 : 9 + (day % 3);
  for (let n = 0; n < code; n++) {
    const file =
      last && n === 40 ? critical : { name: `module-${day}-${n}.py`, content: `maria ${day} ${n}` };
    uploads.push({
      person: maria,
      time: start + n * 240_000,
      name: file.name,
      category: 'SourceCode',
      destination: 'Dropbox',
      size: 150_000 + ((day * 7 + n * 13) % 50) * 1_000,
      content: file.content,
    });
  }
  for (let n = 0; n < 3; n++) {
    uploads.push({
      person: maria,
      time: start + 9 * hour + n * 600_000,
      name: `design-${day}-${n}.pdf`,
      category: 'Pdf',
      destination: 'Box',
      size: 800_000,
      content: `maria box ${day} ${n}`,
    });
  }
  for (let n = 0; n < 4 + (day % 3); n++) {
    uploads.push({
      person: olivia,
      time: start + hour + n * 1_800_000,
      name: `board-notes-${day}-${n}.docx`,
      category: 'Document',
      destination: 'Dropbox',
      size: 60_000,
      content: `olivia ${day} ${n}`,
    });
  }
}

uploads.sort((a, b) => a.time - b.time);
const lines = uploads.map((upload, index) =>
  JSON.stringify(record(upload, `example-${String(index + 1).padStart(4, '0')}`)),
);
const target = new URL('../examples/file-events/events.ndjson', import.meta.url);
writeFileSync(target, `${lines.join('\n')}\n`);
console.log(
  `wrote ${lines.length} events to examples/file-events/events.ndjson; the critical file's SHA-256 is ${digest('sha256', critical.content)} and its MD5 ${digest('md5', critical.content)}`,
);
