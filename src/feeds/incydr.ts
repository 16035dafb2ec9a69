import { type FeedParser, hasArray, type Page, type RecordParser } from './feed-parser.ts';
import { parseIncydrAlert } from './incydr-alert.ts';
import { parseIncydrFileEvent } from './incydr-file-event.ts';
import { parseIncydrSession } from './incydr-session.ts';

// Page wrappers of the Incydr API: sessions search, v1 alert query and details, v2 file events.
const pageKeys = ['items', 'alerts', 'fileEvents'] as const;
// The `type$` of alert records; the pages around them are ALERT_QUERY_RESPONSE and
// ALERT_DETAILS_RESPONSE.
const alertTypes = new Set(['ALERT_SUMMARY', 'ALERT_DETAILS']);

/**
 * Reads Incydr sessions (kind `incydr.session`), legacy v1 alerts (`incydr.alert`) and v2 file
 * events (`incydr.file-event`), each bare, in an array, in NDJSON or in its API page.
 */
export const incydrParser: FeedParser = {
  // Each kind is recognised by fields that only it has.
  recordParser(value: object): RecordParser | null {
    const fields = value as Record<string, unknown>;
    if ('sessionId' in fields) return parseIncydrSession;
    if ('@timestamp' in fields || 'event' in fields) return parseIncydrFileEvent;
    if ('actor' in fields || alertTypes.has(String(fields.type$))) return parseIncydrAlert;
    return null;
  },

  readPage(value: object): Page | null {
    for (const key of pageKeys) {
      if (hasArray(value, key)) {
        const records = (value as Record<string, unknown[]>)[key] ?? [];
        return { shape: `{"${key}":[…]}`, records };
      }
    }
    return null;
  },

  unknownRecordReason:
    'record is not an Incydr session (sessionId), alert (id and actor) or file event (@timestamp and event.id)',
};
