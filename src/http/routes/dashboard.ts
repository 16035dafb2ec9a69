import { asc, eq, ne } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { loadPseudonymGeneration, loadPseudonymKey, pseudonymFor } from '../../cases/pseudonym.ts';
import { showCase } from '../../cases/show-case.ts';
import {
  type ConsoleViewer,
  loadConsolePeople,
  loadConsolePerson,
} from '../../chat/console/console-people.ts';
import { isCasebridgeError } from '../../errors.ts';
import type { Db } from '../../store/db.ts';
import { cases, people } from '../../store/schema.ts';
import { loadDashboard } from '../dashboard/load-dashboard.ts';
import {
  type DashboardCase,
  renderCasePage,
  renderDashboard,
  renderDashboardPicker,
} from '../dashboard/render-dashboard.ts';
import { html, page } from '../html/html.ts';

export interface DashboardRouteOptions {
  db: Db;
  now?: () => Date;
}

const asQuery = z.object({ as: z.email().optional() });

function sendHtml(reply: FastifyReply, markup: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(markup);
}

function refusalPage(title: string, text: string): string {
  return page(
    title,
    html`<main><h1>${title}</h1><p>${text}</p><p><a href="/dashboard">Choose another person</a></p></main>`,
  );
}

/** Whether the viewer may see subjects' identities: HR and Legal may, security sees pseudonyms. */
function seesIdentity(viewer: ConsoleViewer): boolean {
  return viewer.roles.includes('hr') || viewer.roles.includes('legal');
}

/**
 * Registers the read-only dashboard at `/dashboard` and a case's audit timeline at `/dashboard/cases/<key>`,
 * for people with a role. The viewer picks who they are, as in the console.
 */
export async function dashboardRoute(
  app: FastifyInstance,
  options: DashboardRouteOptions,
): Promise<void> {
  const { db } = options;
  const now = options.now ?? (() => new Date());

  /** Returns the viewer, or sends the picker or a refusal and returns null. */
  async function viewerOf(query: unknown, reply: FastifyReply): Promise<ConsoleViewer | null> {
    const parsed = asQuery.safeParse(query);
    if (!parsed.success || parsed.data.as === undefined) {
      sendHtml(reply, renderDashboardPicker(await loadConsolePeople(db)));
      return null;
    }
    const viewer = await loadConsolePerson(db, parsed.data.as);
    if (viewer === null || viewer.roles.length === 0) {
      sendHtml(
        reply,
        refusalPage(
          'Not allowed',
          `${parsed.data.as} holds no security, HR or Legal role, so the dashboard is not shown.`,
        ),
        403,
      );
      return null;
    }
    return viewer;
  }

  app.get('/dashboard', async (request, reply) => {
    const viewer = await viewerOf(request.query, reply);
    if (viewer === null) return reply;
    const key = await loadPseudonymKey(db);
    const rows = await db
      .select({
        key: cases.key,
        state: cases.state,
        priority: cases.priority,
        openedAt: cases.openedAt,
        subjectKey: cases.subjectKey,
        subjectEmail: cases.subjectEmail,
        name: people.name,
      })
      .from(cases)
      .leftJoin(people, eq(people.id, cases.subjectPersonId))
      .where(ne(cases.state, 'closed'))
      .orderBy(asc(cases.openedAt));
    const openCases: DashboardCase[] = [];
    for (const row of rows) {
      const pseudonym = pseudonymFor(
        key,
        row.subjectKey,
        await loadPseudonymGeneration(db, row.subjectKey),
      );
      openCases.push({
        key: row.key,
        state: row.state,
        priority: row.priority,
        openedAt: row.openedAt,
        subjectLabel: seesIdentity(viewer)
          ? (row.name ?? row.subjectEmail ?? pseudonym)
          : pseudonym,
      });
    }
    return sendHtml(reply, renderDashboard(viewer, await loadDashboard(db, now()), openCases));
  });

  app.get('/dashboard/cases/:key', async (request, reply) => {
    const viewer = await viewerOf(request.query, reply);
    if (viewer === null) return reply;
    const { key: caseKey } = request.params as { key: string };
    // HR and Legal see identities by role; security sees the current pseudonym, which showCase
    // also puts in place of the subject's name and e-mail in the timeline.
    const identity = seesIdentity(viewer);
    let detail: Awaited<ReturnType<typeof showCase>>;
    try {
      detail = await showCase(db, caseKey, { revealIdentity: identity });
    } catch (error) {
      if (!isCasebridgeError(error) || error.code !== 'CASE_NOT_FOUND') throw error;
      return sendHtml(reply, refusalPage('Case not found', `No case ${caseKey}.`), 404);
    }
    const subject = detail.subject;
    const label = identity
      ? (subject.identity?.name ?? subject.identity?.email ?? subject.pseudonym)
      : subject.pseudonym;
    return sendHtml(
      reply,
      renderCasePage(viewer, detail, label, (text) => text),
    );
  });
}
