/**
 * The English message catalogue: every text that Casebridge shows a person in chat. Placeholders
 * are `{name}`; `t()` fills them. Keys of the form `group.VALUE` (`state.triage`,
 * `event.ESCALATE`) are looked up with the value of an enum from workflows/case-events.ts.
 */
export const en = {
  // Case states.
  'state.triage': 'Triage',
  'state.hr_review': 'HR review',
  'state.conversation': 'Corrective conversation',
  'state.manager_notice': 'Waiting for the manager',
  'state.follow_up': 'HR follow-up',
  'state.legal_review': 'Legal review',
  'state.action': 'Approved action pending',
  'state.closed': 'Closed',

  // Priorities and signal severities.
  'priority.low': 'Low',
  'priority.medium': 'Medium',
  'priority.high': 'High',
  'priority.critical': 'Critical',
  'severity.info': 'Info',
  'severity.low': 'Low',
  'severity.medium': 'Medium',
  'severity.high': 'High',
  'severity.critical': 'Critical',

  // Roles, used in refusals.
  'role.security': 'Security',
  'role.hr': 'HR',
  'role.legal': 'Legal',
  'role.separator': ' or ',

  // Button labels, one per event a person sends.
  'event.ASSIGN': 'Assign',
  'event.DISMISS': 'Dismiss',
  'event.ESCALATE': 'Escalate to HR',
  'event.CHOOSE_RESPONSE': 'Choose response',
  'event.RETURN_TO_SECURITY': 'Return to security',
  'event.RECORD_CONVERSATION': 'Record conversation',
  'event.ACKNOWLEDGE': 'Acknowledge',
  'event.CLOSE': 'Close case',
  'event.APPROVE': 'Approve',
  'event.REJECT': 'Reject',
  'event.RECORD_ACTION': 'Record action taken',
  'event.REOPEN': 'Reopen',
  'event.placeLegalHold': 'Place legal hold',
  'event.releaseLegalHold': 'Release legal hold',

  // Past participles for "Already {action} by {actor} at {time}.".
  'decided.ASSIGN': 'assigned',
  'decided.NOTE': 'noted',
  'decided.DISMISS': 'dismissed',
  'decided.ESCALATE': 'escalated to HR',
  'decided.CHOOSE_RESPONSE': 'decided by HR',
  'decided.RETURN_TO_SECURITY': 'returned to security',
  'decided.RECORD_CONVERSATION': 'closed after the conversation',
  'decided.ACKNOWLEDGE': 'acknowledged',
  'decided.CLOSE': 'closed',
  'decided.APPROVE': 'approved',
  'decided.REJECT': 'rejected',
  'decided.RECORD_ACTION': 'closed after the action',
  'decided.REOPEN': 'reopened',
  'decided.SIGNAL_ADDED': 'updated with a new signal',
  'decided.LEGAL_HOLD': 'changed by a legal hold',
  'decided.SLA_REMIND': 'reminded',
  'decided.SLA_ESCALATE': 'escalated after its deadline',
  'decided.ANONYMISE': 'anonymised by retention',
  'decided.HR_UPDATE': 'updated from an HR record',

  // Outcomes of a closed case.
  'outcome.false_positive': 'False positive',
  'outcome.benign': 'Benign',
  'outcome.no_action': 'No action needed',
  'outcome.coached': 'Coached',
  'outcome.resolved': 'Resolved',
  'outcome.no_further_action': 'No further action',
  'outcome.serious_action': 'Serious action taken',

  // HR responses and the serious actions HR may propose.
  'response.corrective_conversation': 'Corrective conversation',
  'response.involve_manager': "Involve the subject's manager",
  'response.serious_action': 'Serious action (needs Legal approval)',
  'seriousAction.written_warning': 'Written warning',
  'seriousAction.access_revocation': 'Revoke access',
  'seriousAction.suspension': 'Suspension',
  'seriousAction.termination': 'Termination',
  'seriousAction.law_enforcement_referral': 'Referral to law enforcement',

  // The case card.
  'card.headline': 'Insider-risk case {key}',
  'card.fallback': 'Insider-risk case {key}: {state}',
  'card.footer': 'Case {key} · version {version} · opened {openedAt}',
  'card.field.state': 'State',
  'card.field.priority': 'Priority',
  'card.field.subject': 'Subject',
  'card.field.assignee': 'Assignee',
  'card.field.escalationSummary': 'Escalation summary',
  'card.field.hrResponse': 'HR response',
  'card.field.proposedAction': 'Proposed action',
  'card.field.approvals': 'Legal approvals',
  'card.field.outcome': 'Outcome',
  'card.field.reminders': 'Reminders sent',
  'card.value.approvals': '{count} of {required}',
  'card.value.approvers': '{count} of {required}: {approvers}',
  'card.value.remindersInState': '{count} in this state, the last at {time}',
  'card.value.unassigned': 'Nobody yet',
  'card.legalHold': 'A legal hold is in place: nothing about this case may be deleted.',
  'card.field.watchReason': 'Why it matters',
  'subject.identity': '{name} <{email}>',
  'subject.unresolved': '{label} (not in the directory)',
  'subject.unknown': 'Unknown person',

  // The watch-rule reason on the case card, one sentence: "Departing in 12 days; 340 source-code
  // files copied to removable media." It never names the subject.
  'watch.sentence': '{membership}; {facts}.',
  'watch.sentenceListOnly': '{membership}.',
  'watch.departing': 'departing',
  'watch.departingIn': 'departing in {days} days',
  'watch.departingTomorrow': 'departing tomorrow',
  'watch.departingToday': 'last working day today',
  'watch.departedAgo': 'left {days} days ago',
  'watch.newHire': 'new hire, joined {days} days ago',
  'watch.newHireToday': 'new hire, joined today',
  'watch.custom': 'on the {list} watchlist',
  'watch.factSeparator': ', ',
  'watch.fact.removableMedia': '{files} copied to removable media',
  'watch.fact.personalCloud': '{files} uploaded to personal cloud storage',
  'watch.fact.personalEmail': '{files} sent to a personal e-mail address',
  'watch.fact.sourceCode': '{files} moved',
  'watch.fact.criticalFile': '{files} from the critical-file registry moved',
  'watch.fact.volumeAnomaly': 'an unusual volume of file activity',
  'watch.files': 'files',
  'watch.fileOne': '1 file',
  'watch.filesCounted': '{count} files',
  'watch.sourceFiles': 'source-code files',
  'watch.sourceFileOne': '1 source-code file',
  'watch.sourceFilesCounted': '{count} source-code files',

  // The evidence list.
  'evidence.heading': 'Evidence: {count} signals',
  'evidence.headingOne': 'Evidence: 1 signal',
  'evidence.none': 'No signals are attached to this case.',
  'evidence.detail': '{severity} · {source} · {observedAt}',
  'evidence.files': '{count} files',
  'evidence.fileOne': '1 file',
  'evidence.destination': 'to {destination}',
  'evidence.indicators': 'Indicators: {indicators}',
  'evidence.riskScore': 'risk score {score}',
  'evidence.more': '…and {count} more signals; run "casebridge cases show {key}" for all of them.',

  // File activity that opened or joined a case (src/files/file-alert.ts builds the sentence).
  'files.title': 'File activity: {summary}',
  'files.anomaly.person': "{factor}× this person's normal volume of {category}",
  'files.anomaly.department': "{factor}× their department's normal volume per person of {category}",
  'files.anomaly.destination': '{text} to {destination}',
  'files.criticalOne': 'includes the critical file "{label}"',
  'files.critical': 'includes {count} files from the critical registry',
  'files.flag': 'matched the file rule "{rule}"',
  'files.watch': 'matched the watch rule "{rule}"',
  'files.where.heading': 'Sightings of {hash}: {count}',
  'files.where.none': 'No sightings of {hash} in file events or alerts.',
  'files.where.critical': 'Critical file: {label} ({sensitivity})',
  'files.where.line': '{time} · {who} · {device} · {destination} · {source}',
  'files.where.unknown': 'unknown',
  'files.where.more': '…and {count} more; run "casebridge files where {hash}" for all of them.',

  // The direct message to the subject's manager. It never contains evidence.
  'manager.headline': 'A notice from HR about {name}',
  'manager.body':
    'HR asks you, as the manager of {name}, to hold a conversation with them about a workplace matter. HR will contact you with the details you need. Please acknowledge that you have received this notice.',
  'manager.done': 'Thank you: this notice about {name} needs nothing more from you.',
  'manager.reminder': 'Reminder: HR is waiting for you to acknowledge the notice about {name}.',
  'manager.footer': 'Reference {key}',
  // To the manager of a manager who has not acknowledged a notice by its escalation deadline. It
  // names the manager only, never the subject or the evidence.
  'managersManager.escalation':
    'HR sent {manager} a notice that needs their acknowledgement, and it has been waiting since {since}. Please ask {manager} to open it in their direct messages with Casebridge.',
  'manager.reassigned':
    'HR has passed this notice about {name} to their new manager, so it needs nothing more from you.',

  // Forms: titles (at most 24 characters, the Slack modal limit), buttons, fields.
  'form.title.ASSIGN': 'Assign case',
  'form.title.DISMISS': 'Dismiss case',
  'form.title.ESCALATE': 'Escalate to HR',
  'form.title.CHOOSE_RESPONSE': 'Choose HR response',
  'form.title.RETURN_TO_SECURITY': 'Return to security',
  'form.title.RECORD_CONVERSATION': 'Record conversation',
  'form.title.CLOSE': 'Close case',
  'form.title.APPROVE': 'Approve action',
  'form.title.REJECT': 'Reject action',
  'form.title.RECORD_ACTION': 'Record action taken',
  'form.title.REOPEN': 'Reopen case',
  'form.title.placeLegalHold': 'Place legal hold',
  'form.title.releaseLegalHold': 'Release legal hold',
  'form.intro': 'Case {key}: {action}',
  'form.submit': 'Submit',
  'form.cancel': 'Cancel',
  'form.field.assignee': "Assignee's e-mail address",
  'form.field.outcome': 'Outcome',
  'form.field.reason': 'Reason',
  'form.field.summary': 'Summary for HR',
  'form.field.response': 'Response',
  'form.field.proposedAction': 'Action for Legal to approve',
  'form.field.question': 'Question for security',
  'form.field.conversationNotes': 'Notes from the conversation',
  'form.field.actionNotes': 'What was done',
  'form.hint.proposedAction': 'Required for a serious action; leave it empty otherwise.',
  'form.error.required': 'Enter a value.',
  'form.error.chooseOption': 'Choose one of the options.',
  'form.error.tooLong': 'Shorten this to at most {max} characters.',
  'form.error.email': 'Enter an e-mail address such as name@example.com.',
  'form.error.proposedActionRequired': 'Choose the action that Legal should approve.',
  'form.error.proposedActionNotAllowed': 'Only a serious action takes a proposed action; clear it.',

  // Replies visible only to the person who clicked.
  'refusal.alreadyDecided': 'Already {action} by {actor} at {time}.',
  'refusal.roleRequired': 'You need the {role} role to do this.',
  'refusal.managerOnly': "Only the subject's manager can acknowledge this notice.",
  'refusal.separationOfDuties':
    'Separation of duties: you escalated this case, already approved it or manage its subject, so another person must do this.',
  'refusal.notPossible': 'This is not possible while the case is in {state}.',
  'refusal.unknownEmail':
    "Your {platform} account's e-mail {email} is not in the Casebridge directory; ask an admin to add it.",
  'refusal.noEmail':
    "Casebridge cannot read the e-mail address of your {platform} account; ask an admin to check the app's permissions.",
  'refusal.caseNotFound': 'Case {key} was not found.',
  'refusal.failed': 'Casebridge could not record this action; try again in a moment.',

  // Replies in a case thread, one per event.
  'reply.ASSIGN': '{actor} assigned this case to {assignee}.',
  'reply.NOTE': '{actor} added a note.',
  'reply.noteWithText': '{actor} added a note: {text}',
  'reply.DISMISS': '{actor} dismissed this case as {outcome}.',
  'reply.ESCALATE': '{actor} escalated this case to HR.',
  'reply.CHOOSE_RESPONSE': '{actor} chose the response: {response}.',
  'reply.chooseSeriousAction': '{actor} proposed {proposedAction}; Legal must approve it.',
  'reply.RETURN_TO_SECURITY': '{actor} returned this case to security with a question.',
  'reply.RECORD_CONVERSATION': '{actor} recorded the corrective conversation and closed this case.',
  'reply.ACKNOWLEDGE': "The subject's manager acknowledged the notice.",
  'reply.CLOSE': '{actor} closed this case: {outcome}.',
  'reply.APPROVE': '{actor} approved {proposedAction}.',
  'reply.approvePartial':
    '{actor} approved {proposedAction} ({count} of {required} approvals); a second Legal approver must approve.',
  'reply.theProposedAction': 'the proposed action',
  'reply.REJECT': '{actor} rejected {proposedAction}; the case is back with HR.',
  'reply.RECORD_ACTION': '{actor} recorded the action taken and closed this case.',
  'reply.REOPEN': '{actor} reopened this case.',
  'reply.SIGNAL_ADDED': 'A new signal joined this case; its priority is now {priority}.',
  'reply.placeLegalHold': '{actor} placed a legal hold on this case.',
  'reply.releaseLegalHold': '{actor} released the legal hold on this case.',
  'reply.hrDeparture': "HR update: the subject's last working day ({date}) has arrived.",
  'reply.hrManagerChanged': "HR update: the subject's manager changed.",
  'reply.hrManagerChangedTo':
    "HR update: the subject's manager is now {manager}; a pending manager notice goes to them, and the previous manager can no longer acknowledge it.",
  'reply.hrManagerRemoved':
    'HR update: the directory names no manager for the subject any more, so no manager can acknowledge a pending notice.',
  'reply.SLA_REMIND': 'Reminder: this case has been in {state} since {since}.',
  'reply.SLA_ESCALATE': 'This case has been in {state} since {since}, past its deadline.',
  'reply.ANONYMISE': 'Retention anonymised this case: its subject and evidence were removed.',

  // Identity reveals: security asks to see who the subject is, HR or the privacy role decides.
  'reveal.requested':
    "{actor} asked to see the identity of this case's subject, for this reason: {reason}",
  'reveal.approved':
    '{actor} approved the identity reveal; security sees the identity in its thread until {until}.',
  'reveal.rejected': '{actor} rejected the identity reveal.',
  'reveal.expired':
    'The identity reveal ended; security now sees the subject under a new pseudonym.',
  'reveal.bannerRevealed': 'Identity revealed to security until {until}, approved by {approver}.',
  'reveal.bannerPending': 'Identity reveal requested by {requester}, waiting for HR: {reason}',
  'reveal.bannerDecide':
    '{requester} (security) asks to see the identity of the subject, for this reason: {reason}. In Slack, approve or reject it with the buttons on this card; elsewhere, use "casebridge cases reveal approve {key}" or "casebridge cases reveal reject {key}".',
  'reveal.button.request': 'Request identity',
  'reveal.button.approve': 'Approve reveal',
  'reveal.button.reject': 'Reject reveal',
  'reveal.form.title': 'Request identity',
  'reveal.form.intro':
    'Case {key}: HR or the privacy role decides whether security may see who the subject is.',
  'reveal.form.reason': 'Why security needs the identity',
  'reveal.form.submit': 'Send request',
  'reveal.refusedOpen':
    'Case {key} already has an open identity reveal request or a live reveal; wait for HR to decide it or for the reveal to end.',
  'reveal.refusedOwnRequest':
    'Separation of duties: you requested this identity reveal or are its subject, so another person must decide it.',
  'reveal.refusedNone': 'Case {key} has no identity reveal request waiting for a decision.',
  'reveal.refusedReason': 'The reason was not accepted: {problem}',

  // The daily digest in a role's channel. It lists case keys only, never a subject's name.
  'digest.heading': 'Waiting on {role}: {count} cases',
  'digest.headingOne': 'Waiting on {role}: 1 case',
  'digest.line': '{key} · {state} · {priority} · waiting for {waiting}',
  'digest.lineOverdue': '{key} · {state} · {priority} · waiting for {waiting} · overdue',
  'digest.hours': '{count} h',
  'digest.days': '{count} days',
  'digest.more': '…and {count} more cases.',

  // Alerts the delivery worker posts when it cannot deliver a thread.
  'alert.subjectInChannel':
    'Casebridge did not post case {key} to the {audience} channel: the subject of the case is a member of it. Remove them from the channel or route that audience to another channel.',
  'alert.unidentifiedMembers':
    'Casebridge did not post case {key} to the {audience} channel: {count} of its members have no e-mail address Casebridge can read, so it cannot rule out that the subject is among them. Give the app the users:read.email scope or remove those members.',
  'alert.noManagersManager':
    "The manager's notice is past its deadline, and the directory names no manager above {manager} to ask. Follow up with {manager} directly.",
  'alert.managerUnreachable':
    "Casebridge could not send the manager's notice for case {key} on {platform} ({reason}). Tell the manager another way.",
} as const satisfies Record<string, string>;
