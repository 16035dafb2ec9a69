import { parseExabeamCase, parseExabeamIncident } from './exabeam-case.ts';
import {
  parseExabeamNotableUser,
  parseExabeamSession,
  type SessionUsers,
  sessionUsersSchema,
} from './exabeam-user.ts';
import { type FeedParser, hasArray, type Page, type RecordParser } from './feed-parser.ts';

/**
 * Reads Exabeam Advanced Analytics notable users (kind `exabeam.notable-user`) and sessions
 * (`exabeam.session`), Incident Responder incidents (`exabeam.incident`) and New-Scale case
 * search rows (`exabeam.case`), each bare, in an array, in NDJSON or in its API response.
 */
export const exabeamParser: FeedParser = {
  // Each kind is recognised by fields that only it has.
  recordParser(value: object): RecordParser | null {
    const fields = value as Record<string, unknown>;
    if (fields.user !== null && typeof fields.user === 'object') return parseExabeamNotableUser;
    if ('incidentId' in fields) return parseExabeamIncident;
    if ('caseId' in fields) return parseExabeamCase;
    if ('sessionId' in fields) return (record) => parseExabeamSession(record);
    return null;
  },

  readPage(value: object): Page | null {
    const fields = value as Record<string, unknown>;
    if (hasArray(value, 'sessions')) {
      const users = readSessionUsers(fields.users);
      return {
        shape: '{"sessions":[…]}',
        records: fields.sessions as unknown[],
        parseRecord: (record) => parseExabeamSession(record, users),
      };
    }
    for (const key of ['users', 'incidents', 'rows']) {
      if (hasArray(value, key)) {
        return { shape: `{"${key}":[…]}`, records: fields[key] as unknown[] };
      }
    }
    if (fields.sessionInfo !== null && typeof fields.sessionInfo === 'object') {
      return { shape: '{"sessionInfo":{…}}', records: [fields.sessionInfo] };
    }
    return null;
  },

  unknownRecordReason:
    'record is not an Exabeam notable user (user), session (sessionId), incident (incidentId) or case (caseId)',
};

/** Reads the users map of a sessions page, or returns an empty map when its shape is unknown. */
function readSessionUsers(value: unknown): SessionUsers {
  const result = sessionUsersSchema.safeParse(value);
  return result.success ? result.data : {};
}
