import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { decideReveal, type RevealDecisionResult } from './decide-reveal.ts';
import { type RevealRequestResult, requestReveal } from './request-reveal.ts';

export type RevealResult = RevealRequestResult | RevealDecisionResult;

const DEFAULT_REVEAL_HOURS = 24;

/** Runs one step of an identity reveal for the CLI and the local API. */
export function runRevealCommand(
  deps: {
    db: Db;
    logger: Logger;
    revealHours?: number | undefined;
    now?: (() => Date) | undefined;
  },
  reference: string,
  command: {
    action: 'request' | 'approve' | 'reject';
    as: string;
    reason?: string | undefined;
  },
): Promise<RevealResult> {
  if (command.action === 'request') {
    return requestReveal(deps, {
      caseRef: reference,
      actorEmail: command.as,
      reason: command.reason ?? '',
    });
  }
  return decideReveal(
    { ...deps, revealHours: deps.revealHours ?? DEFAULT_REVEAL_HOURS },
    {
      caseRef: reference,
      actorEmail: command.as,
      decision: command.action,
      reason: command.reason,
    },
  );
}
