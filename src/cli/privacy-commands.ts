import type { CaseService, IdentityAccess, RevealCommand } from '../cases/case-service.ts';
import type { CaseDetail } from '../cases/show-case.ts';
import type { Output } from './output.ts';
import { usageError } from './output.ts';

const revealActions = ['request', 'approve', 'reject'] as const;

/** Names the subject in `cases show`: the pseudonym, and the identity when it was revealed. */
export function describeShownSubject(subject: CaseDetail['subject']): string {
  const identity = subject.identity;
  if (identity === null) return subject.pseudonym;
  const who = [identity.name, identity.email ?? identity.key].filter(Boolean).join(' ');
  return `${who} (pseudonym ${subject.pseudonym})`;
}

/** Builds the audited access of `cases show --reveal`, or none without `--reveal`. */
export function identityAccessFrom(options: {
  reveal?: boolean;
  as?: string;
  reason?: string;
}): IdentityAccess | undefined {
  if (options.reveal !== true) {
    if (options.as !== undefined || options.reason !== undefined) {
      throw usageError('--as and --reason apply only with --reveal.');
    }
    return undefined;
  }
  if (options.as === undefined) {
    throw usageError('Missing --as <email>: --reveal needs the person who looks at the identity.');
  }
  if (options.reason === undefined || options.reason.trim() === '') {
    throw usageError('Missing --reason <text>: --reveal needs a reason, which is audited.');
  }
  return { as: options.as, reason: options.reason };
}

export async function runCasesReveal(
  service: CaseService,
  out: Output,
  action: string,
  reference: string,
  options: { as?: string; reason?: string },
): Promise<number> {
  if (!(revealActions as readonly string[]).includes(action)) {
    throw usageError(`Unknown reveal step "${action}"; use one of ${revealActions.join(', ')}.`);
  }
  if (options.as === undefined) throw usageError('Missing --as <email>: the person who acts.');
  if (action === 'request' && (options.reason === undefined || options.reason.trim() === '')) {
    throw usageError('Missing --reason <text>: say why security needs the identity.');
  }
  const command: RevealCommand = {
    action: action as RevealCommand['action'],
    as: options.as,
    reason: options.reason,
  };
  const result = await service.reveal(reference, command);
  out.result(result, () => {
    if (result.status === 'pending') {
      return `Identity reveal of ${result.caseKey} requested; HR or the privacy role decides it.`;
    }
    if (result.status === 'approved') {
      return `Identity reveal of ${result.caseKey} approved until ${result.expiresAt}.`;
    }
    return `Identity reveal of ${result.caseKey} rejected.`;
  });
  return 0;
}

export async function runPseudonymsRotate(
  service: CaseService,
  out: Output,
  options: { as?: string },
): Promise<number> {
  if (options.as === undefined) {
    throw usageError('Missing --as <email>: the administrator who rotates the key; it is audited.');
  }
  const result = await service.rotatePseudonymKey(options.as);
  out.result(
    result,
    () =>
      `Pseudonym key rotated to version ${result.version}; every subject has a new pseudonym. Restart every Casebridge process so that it loads the new key.`,
  );
  return 0;
}
