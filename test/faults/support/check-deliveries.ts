import postgres from 'postgres';
import type { Audience } from '../../../src/chat/actions.ts';
import { type CaseNotice, renderNotice } from '../../../src/chat/notice.ts';
import { renderTextMessage } from '../../../src/chat/slack/blocks.ts';
import type { FakeSlackApi } from '../../support/fake-slack-api.ts';

/** One thread's Slack traffic as the outbox says it should be and as the fake API received it. */
export interface ThreadDeliveries {
  threadId: string;
  caseId: string;
  audience: string;
  channel: string | null;
  /** From the sent outbox rows in id order: `post`, `update` or `reply:<text>`. */
  expected: string[];
  /** From the fake's records in arrival order, in the same notation. */
  observed: string[];
}

export interface DeliveryReport {
  threads: ThreadDeliveries[];
  /** Outbox rows by status. */
  statuses: Record<string, number>;
  /** Root messages the fake holds per channel, against the threads the database has there. */
  rootsPerChannel: Record<string, { roots: number; threads: number }>;
}

interface OutboxRow {
  id: string;
  thread_id: string;
  case_id: string;
  kind: string;
  payload: { text?: string; notice?: CaseNotice };
  status: string;
}

interface ThreadRow {
  id: string;
  case_id: string;
  audience: string;
  channel: string | null;
  root_id: string | null;
}

/**
 * Compares each thread's sent outbox rows, in id order, with what the fake Slack API received
 * for that thread, in arrival order. A card row is a root post the first time and an update in
 * place afterwards; a reply row is a threaded message with the rendered notice text. Rows whose
 * notice renders to nothing for the audience send nothing and are left out.
 */
export async function collectDeliveries(
  databaseUrl: string,
  fake: FakeSlackApi,
): Promise<DeliveryReport> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let rows: OutboxRow[];
  let threads: ThreadRow[];
  try {
    rows = await sql<OutboxRow[]>`
      select id::text, thread_id, case_id, kind, payload, status from outbox order by outbox.id`;
    threads = await sql<
      ThreadRow[]
    >`select id, case_id, audience, channel, root_id from case_threads`;
  } finally {
    await sql.end();
  }

  const statuses: Record<string, number> = {};
  for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;

  const report: ThreadDeliveries[] = threads.map((thread) => {
    const expected: string[] = [];
    let posted = false;
    for (const row of rows) {
      if (row.thread_id !== thread.id || row.status !== 'sent') continue;
      if (row.kind === 'card') {
        expected.push(posted ? 'update' : 'post');
        posted = true;
        continue;
      }
      const text =
        row.payload.text ??
        (row.payload.notice === undefined
          ? null
          : renderNotice(row.payload.notice, thread.audience as Audience, 'en'));
      if (text !== null) expected.push(`reply:${renderTextMessage(text).text}`);
    }

    const observed: string[] = [];
    if (thread.root_id !== null && thread.channel !== null) {
      const root = fake.messages.get(`${thread.channel}:${thread.root_id}`);
      if (root !== undefined && root.threadTs === null) observed.push('post');
      for (const call of fake.calls) {
        if (call.body.channel !== thread.channel) continue;
        if (call.method === 'chat.update' && call.body.ts === thread.root_id) {
          observed.push('update');
        } else if (call.method === 'chat.postMessage' && call.body.thread_ts === thread.root_id) {
          observed.push(`reply:${String(call.body.text)}`);
        }
      }
    }
    return {
      threadId: thread.id,
      caseId: thread.case_id,
      audience: thread.audience,
      channel: thread.channel,
      expected,
      observed,
    };
  });

  const rootsPerChannel: Record<string, { roots: number; threads: number }> = {};
  for (const thread of threads) {
    if (thread.channel === null) continue;
    const entry = rootsPerChannel[thread.channel] ?? { roots: 0, threads: 0 };
    if (thread.root_id !== null) entry.threads++;
    rootsPerChannel[thread.channel] = entry;
  }
  for (const message of fake.messages.values()) {
    const entry = rootsPerChannel[message.channel];
    if (entry !== undefined && message.threadTs === null) entry.roots++;
  }

  return { threads: report, statuses, rootsPerChannel };
}
