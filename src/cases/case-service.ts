import { type AuditVerification, verifyAudit } from '../audit/verify-audit.ts';
import type { FeedName } from '../config.ts';
import { callLocalApi } from '../http/local-api-client.ts';
import { type IngestSummary, type IntakeDeps, ingestFeed } from '../intake/ingest-feed.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import { authorizeIdentityView } from '../privacy/authorize-identity-view.ts';
import { type RevealResult, runRevealCommand } from '../privacy/run-reveal-command.ts';
import type { Db } from '../store/db.ts';
import { type ActOnCaseDeps, actOnCase } from './act-on-case.ts';
import { type CaseSummary, listCases } from './list-cases.ts';
import { rotatePseudonymKey } from './pseudonym.ts';
import { type CaseDetail, showCase } from './show-case.ts';

/**
 * What the CLI and the local API do with cases. One implementation works on the database; the
 * other sends the same requests to a running server, for when that server holds the embedded
 * database (PGlite serves one process at a time).
 */
/** Who asks to see a subject's identity, and why; the view is audited. */
export interface IdentityAccess {
  as: string;
  reason: string;
}

/** A step of an identity reveal through the CLI or the local API. */
export interface RevealCommand {
  action: 'request' | 'approve' | 'reject';
  as: string;
  reason?: string | undefined;
}

export interface CaseService {
  ingest(feed: FeedName, text: string): Promise<IngestSummary>;
  list(state?: string): Promise<CaseSummary[]>;
  /** Shows a case with the subject as a pseudonym, or with their identity given `access`. */
  show(reference: string, access?: IdentityAccess): Promise<CaseDetail>;
  reveal(reference: string, command: RevealCommand): Promise<RevealResult>;
  rotatePseudonymKey(as: string): Promise<{ version: number }>;
  act(
    reference: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
    expectedState?: string,
  ): Promise<CaseDetail>;
  verifyAudit(): Promise<AuditVerification>;
}

export interface LocalCaseServiceDeps {
  db: Db;
  logger: Logger;
  reopenWindowHours: number;
  notifier?: CaseNotifier;
  onSignal?: IntakeDeps['onSignal'];
  watch?: IntakeDeps['watch'];
  onTransition?: ActOnCaseDeps['onTransition'];
  /** How long an approved identity reveal lasts; 24 hours when absent. */
  revealHours?: number;
  /** The clock of reveals and identity views; the system clock when absent. */
  now?: () => Date;
}

export function localCaseService(deps: LocalCaseServiceDeps): CaseService {
  return {
    ingest: (feed, text) => ingestFeed(deps, { feed, text, atomic: false }),
    list: (state) => listCases(deps.db, state === undefined ? {} : { state }),
    async show(reference, access) {
      if (access === undefined) return showCase(deps.db, reference);
      const input = { caseRef: reference, actorEmail: access.as, reason: access.reason };
      await authorizeIdentityView(deps.db, { ...input, now: (deps.now ?? (() => new Date()))() });
      return showCase(deps.db, reference, { revealIdentity: true });
    },
    reveal: (reference, command) => runRevealCommand(deps, reference, command),
    rotatePseudonymKey: (as) =>
      rotatePseudonymKey(deps.db, as.trim().toLowerCase(), (deps.now ?? (() => new Date()))()),
    async act(reference, actorEmail, event, expectedState) {
      const input = {
        caseRef: reference,
        actorEmail,
        event,
        ...(expectedState === undefined ? {} : { expectedState }),
      };
      await actOnCase(deps, input);
      return showCase(deps.db, reference);
    },
    verifyAudit: () => verifyAudit(deps.db),
  };
}

/** Sends case requests to the local API of a running Casebridge server. */
export function remoteCaseService(baseUrl: string, token?: string): CaseService {
  const request = <T>(
    method: 'GET' | 'POST',
    route: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> =>
    callLocalApi<T>(
      { url: baseUrl, token },
      {
        method,
        path: route,
        body:
          body === undefined
            ? undefined
            : { contentType, data: typeof body === 'string' ? body : JSON.stringify(body) },
      },
    );

  return {
    ingest: (feed, text) =>
      request('POST', `/api/ingest/${encodeURIComponent(feed)}`, text, 'text/plain'),
    list: (state) =>
      request(
        'GET',
        state === undefined ? '/api/cases' : `/api/cases?state=${encodeURIComponent(state)}`,
      ),
    show: (reference, access) =>
      access === undefined
        ? request('GET', `/api/cases/${encodeURIComponent(reference)}`)
        : request('POST', `/api/cases/${encodeURIComponent(reference)}/identity`, access),
    reveal: (reference, command) =>
      request('POST', `/api/cases/${encodeURIComponent(reference)}/reveal`, command),
    rotatePseudonymKey: (as) => request('POST', '/api/pseudonyms/rotate', { as }),
    act: (reference, actorEmail, event, expectedState) =>
      request('POST', `/api/cases/${encodeURIComponent(reference)}/events`, {
        as: actorEmail,
        event,
        expectedState,
      }),
    verifyAudit: () => request('GET', '/api/audit/verify'),
  };
}
