import { eq, inArray, sql } from 'drizzle-orm';
import type { CaseState, Priority, Role } from '../../workflows/case-events.ts';
import { pendingStatesByRole } from '../cases/pending-cases.ts';
import { buildDigest, type DigestRow } from '../chat/digest.ts';
import type { Locale } from '../chat/messages/index.ts';
import type { ChannelRef, ChatPlatform, ChatPort } from '../chat/port.ts';
import { channelLocale, type FileConfig } from '../config.ts';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../log.ts';
import type { Executor } from '../store/db.ts';
import { cases, inboundReceipts } from '../store/schema.ts';

export const DAILY_DIGEST_JOB = 'daily-digest';

const roles: readonly Role[] = ['security', 'hr', 'legal'];

export interface DailyDigestDeps {
  db: Executor;
  logger: Logger;
  /** The chat port of each configured platform; channels routed on other platforms are skipped. */
  ports: Partial<Record<ChatPlatform, ChatPort>>;
  routing: FileConfig['routing'];
  now: () => Date;
  /** The IANA time zone whose calendar day names the digest; `UTC` by default. */
  timeZone?: string;
  /** Overrides the locale of every channel; by default each channel's routed locale applies. */
  locale?: Locale;
}

export interface DailyDigestResult {
  posted: number;
  /** Digests already posted today, and routed channels of roles with nothing waiting. */
  skipped: number;
  failed: number;
}

/**
 * Posts each role's digest to the role's routed channel on every platform with a port: one
 * top-level message per channel and role, so a channel routed for two roles gets two posts. A
 * digest lists case keys and no subject names, so it needs no check of the channel's members.
 *
 * Each post is claimed first by a receipt `digest:<platform>:<channel>:<role>:<YYYY-MM-DD>`, so a
 * second run on the same calendar day posts nothing. A failed post deletes its receipt again, so
 * the next run that day retries it. A failure is logged and the other posts still run.
 */
export async function sendDailyDigests(deps: DailyDigestDeps): Promise<DailyDigestResult> {
  const now = deps.now();
  const day = calendarDay(now, deps.timeZone ?? 'UTC');
  const result: DailyDigestResult = { posted: 0, skipped: 0, failed: 0 };

  for (const role of roles) {
    const targets = routedChannels(deps, role);
    if (targets.length === 0) continue;

    const waiting = await listWaitingCases(deps.db, role);
    for (const { channel, port } of targets) {
      const locale = deps.locale ?? channelLocale(deps.routing, role, channel.platform);
      const text = buildDigest(waiting, role, locale, now);
      if (text === null) {
        result.skipped++;
        continue;
      }
      const outcome = await postOnce(deps, { channel, port, role, day, text });
      result[outcome]++;
    }
  }
  return result;
}

async function postOnce(
  deps: DailyDigestDeps,
  digest: { channel: ChannelRef; port: ChatPort; role: Role; day: string; text: string },
): Promise<keyof DailyDigestResult> {
  const { channel, port, role, day, text } = digest;
  const key = `digest:${channel.platform}:${channel.channel}:${role}:${day}`;
  const log = deps.logger.child({ platform: channel.platform, channel: channel.channel, role });

  const claimed = await deps.db
    .insert(inboundReceipts)
    .values({ key })
    .onConflictDoNothing()
    .returning({ key: inboundReceipts.key });
  if (claimed.length === 0) return 'skipped';

  // NOTE: a process that dies between the claim and the post loses that digest for the day.
  try {
    await port.postText(channel, text);
  } catch (error) {
    log.warn({ err: describeError(error) }, 'daily digest post failed and the next run retries it');
    await releaseClaim(deps, key, log);
    return 'failed';
  }
  log.info({ day }, 'daily digest posted');
  return 'posted';
}

/** Deletes a digest's receipt, so that the next run on the same day posts it again. */
async function releaseClaim(deps: DailyDigestDeps, key: string, log: Logger): Promise<void> {
  try {
    await deps.db.delete(inboundReceipts).where(eq(inboundReceipts.key, key));
  } catch (error) {
    log.error(
      { err: describeError(error), receipt: key },
      'daily digest receipt could not be deleted, so the digest is not retried today',
    );
  }
}

function routedChannels(
  deps: DailyDigestDeps,
  role: Role,
): Array<{ channel: ChannelRef; port: ChatPort }> {
  const channels = deps.routing[role] ?? {};
  const targets: Array<{ channel: ChannelRef; port: ChatPort }> = [];
  for (const platform of ['slack', 'teams', 'console'] as const) {
    const id = channels[platform];
    const port = deps.ports[platform];
    if (id === undefined || port === undefined) continue;
    targets.push({ channel: { platform, channel: id }, port });
  }
  return targets;
}

/**
 * Lists the cases in a state that the role decides, without any subject column. The escalation due
 * time is read from the state's timer, because only the timer counts the SLA in business hours.
 */
async function listWaitingCases(db: Executor, role: Role): Promise<DigestRow[]> {
  const states = pendingStatesByRole[role];
  const enteredAt = sql<string>`${cases.snapshot} -> 'context' ->> 'stateEnteredAt'`;
  // Written with table names, because drizzle leaves columns unqualified in a one-table select.
  // The due_at bound skips the timers of an earlier stay in the same state.
  const escalateDueAt = sql<string | null>`(
    select max(t.due_at) from timers t
    where t.case_id = cases.id
      and t.state = cases.state
      and t.kind = 'escalate'
      and t.status <> 'cancelled'
      and t.due_at >= (cases.snapshot -> 'context' ->> 'stateEnteredAt')::timestamptz
  )`;
  const rows = await db
    .select({
      key: cases.key,
      state: cases.state,
      priority: cases.priority,
      enteredAt,
      escalateDueAt,
    })
    .from(cases)
    .where(inArray(cases.state, [...states]));

  return rows.map((row) => ({
    key: row.key,
    state: row.state as CaseState,
    priority: row.priority as Priority,
    stateEnteredAt: new Date(row.enteredAt),
    escalateDueAt: row.escalateDueAt === null ? null : new Date(row.escalateDueAt),
  }));
}

/** Returns the `YYYY-MM-DD` calendar day of `at` in `timeZone`. */
export function calendarDay(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
