import { z } from 'zod';
import { severityFromExabeamRiskScore } from './exabeam-severity.ts';
import { parseShape, type RecordOutcome } from './feed-parser.ts';
import { optionalText, requiredText } from './fields.ts';
import { buildSubject } from './subject.ts';
import { timeField } from './time.ts';

const userInfoSchema = z.looseObject({ email: optionalText, fullName: optionalText });

const notableUserSchema = z.looseObject({
  user: z.looseObject({
    username: requiredText,
    riskScore: z.number(),
    lastActivityTime: timeField.nullish(),
    info: userInfoSchema.nullish(),
  }),
  userFullName: optionalText,
  highestRiskSession: z.looseObject({ startTime: timeField.nullish() }).nullish(),
});

const sessionSchema = z.looseObject({
  sessionId: requiredText,
  username: requiredText,
  // Session lists send epoch milliseconds as numbers, and session info sends them as strings.
  startTime: timeField,
  riskScore: z.number(),
});

/** The `users` map of a notable sessions response. Its keys need not equal the user names. */
export const sessionUsersSchema = z.record(
  z.string(),
  z.looseObject({ username: optionalText, info: userInfoSchema.nullish() }),
);
export type SessionUsers = z.output<typeof sessionUsersSchema>;

/** Parses an entry of the Advanced Analytics notable users response. */
export function parseExabeamNotableUser(record: unknown): RecordOutcome {
  const parsed = parseShape(notableUserSchema, record);
  if (!parsed.ok) return parsed;
  const { user, userFullName, highestRiskSession } = parsed.data;

  // The notable activity is the user's highest-risk session. Its endTime is 0 while it is open.
  const observedAt = highestRiskSession?.startTime ?? user.lastActivityTime;
  if (observedAt == null) {
    return {
      ok: false,
      reason: 'highestRiskSession.startTime: missing, and user.lastActivityTime is missing too',
    };
  }

  const subject = buildSubject({
    email: user.info?.email,
    ids: [user.username],
    displayName: userFullName ?? user.info?.fullName,
  });
  return {
    ok: true,
    signal: {
      source: 'exabeam',
      kind: 'exabeam.notable-user',
      externalId: user.username,
      // A non-empty username was checked above, so the subject always exists.
      subject: subject!,
      observedAt,
      severity: severityFromExabeamRiskScore(user.riskScore),
      riskScore: user.riskScore,
      title: `Exabeam notable user (risk score ${user.riskScore})`,
      indicators: [],
      files: [],
      destination: null,
      raw: record,
    },
  };
}

/**
 * Parses an Advanced Analytics session, from a notable sessions response (whose `users` map adds
 * the e-mail address and name) or from a session info response.
 */
export function parseExabeamSession(record: unknown, users: SessionUsers = {}): RecordOutcome {
  const parsed = parseShape(sessionSchema, record);
  if (!parsed.ok) return parsed;
  const session = parsed.data;

  const user =
    Object.values(users).find((entry) => entry.username === session.username) ??
    users[session.username];
  const subject = buildSubject({
    email: user?.info?.email,
    ids: [session.username],
    displayName: user?.info?.fullName,
  });
  return {
    ok: true,
    signal: {
      source: 'exabeam',
      kind: 'exabeam.session',
      externalId: session.sessionId,
      // A non-empty username was checked above, so the subject always exists.
      subject: subject!,
      observedAt: session.startTime,
      severity: severityFromExabeamRiskScore(session.riskScore),
      riskScore: session.riskScore,
      title: `Exabeam session (risk score ${session.riskScore})`,
      indicators: [],
      files: [],
      destination: null,
      raw: record,
    },
  };
}
