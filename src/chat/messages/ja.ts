import type { en } from './en.ts';

/**
 * The Japanese message catalogue. It translates every English key, with the same placeholders;
 * test/chat/messages-ja.test.ts checks both. The tone is that of business Japanese (丁寧語), as an
 * internal HR or compliance notice would be written.
 */
export const ja = {
  // Case states.
  'state.triage': 'トリアージ',
  'state.hr_review': '人事レビュー',
  'state.conversation': '是正面談',
  'state.manager_notice': '上長の確認待ち',
  'state.follow_up': '人事フォローアップ',
  'state.legal_review': '法務レビュー',
  'state.action': '承認済み措置の実施待ち',
  'state.closed': '完了',

  // Priorities and signal severities.
  'priority.low': '低',
  'priority.medium': '中',
  'priority.high': '高',
  'priority.critical': '緊急',
  'severity.info': '情報',
  'severity.low': '低',
  'severity.medium': '中',
  'severity.high': '高',
  'severity.critical': '緊急',

  // Roles, used in refusals.
  'role.security': 'セキュリティ',
  'role.hr': '人事',
  'role.legal': '法務',
  'role.separator': 'または',

  // Button labels, one per event a person sends.
  'event.ASSIGN': '担当者を割り当てる',
  'event.DISMISS': '対応不要として終了',
  'event.ESCALATE': '人事へエスカレーション',
  'event.CHOOSE_RESPONSE': '対応方針を選択',
  'event.RETURN_TO_SECURITY': 'セキュリティへ差し戻す',
  'event.RECORD_CONVERSATION': '面談を記録',
  'event.ACKNOWLEDGE': '確認しました',
  'event.CLOSE': 'ケースを完了',
  'event.APPROVE': '承認',
  'event.REJECT': '却下',
  'event.RECORD_ACTION': '実施した措置を記録',
  'event.REOPEN': '再開',
  'event.placeLegalHold': 'リーガルホールドを設定',
  'event.releaseLegalHold': 'リーガルホールドを解除',

  // Past participles for "Already {action} by {actor} at {time}.".
  'decided.ASSIGN': '割り当て済み',
  'decided.NOTE': 'メモ追加済み',
  'decided.DISMISS': '終了済み',
  'decided.ESCALATE': '人事へエスカレーション済み',
  'decided.CHOOSE_RESPONSE': '人事が対応方針を決定済み',
  'decided.RETURN_TO_SECURITY': 'セキュリティへ差し戻し済み',
  'decided.RECORD_CONVERSATION': '面談記録のうえ完了済み',
  'decided.ACKNOWLEDGE': '確認済み',
  'decided.CLOSE': '完了済み',
  'decided.APPROVE': '承認済み',
  'decided.REJECT': '却下済み',
  'decided.RECORD_ACTION': '措置記録のうえ完了済み',
  'decided.REOPEN': '再開済み',
  'decided.SIGNAL_ADDED': '新しいシグナルで更新済み',
  'decided.LEGAL_HOLD': 'リーガルホールドにより変更済み',
  'decided.SLA_REMIND': 'リマインド済み',
  'decided.SLA_ESCALATE': '期限超過によりエスカレーション済み',

  // Outcomes of a closed case.
  'outcome.false_positive': '誤検知',
  'outcome.benign': '問題なし',
  'outcome.no_action': '対応不要',
  'outcome.coached': '指導済み',
  'outcome.resolved': '解決済み',
  'outcome.no_further_action': '追加対応なし',
  'outcome.serious_action': '重大な措置を実施',

  // HR responses and the serious actions HR may propose.
  'response.corrective_conversation': '是正面談',
  'response.involve_manager': '対象者の上長に依頼',
  'response.serious_action': '重大な措置（法務の承認が必要）',
  'seriousAction.written_warning': '書面による警告',
  'seriousAction.access_revocation': 'アクセス権の剥奪',
  'seriousAction.suspension': '出勤停止',
  'seriousAction.termination': '解雇',
  'seriousAction.law_enforcement_referral': '捜査機関への通報',

  // The case card.
  'card.headline': '内部リスク案件 {key}',
  'card.fallback': '内部リスク案件 {key}：{state}',
  'card.footer': '案件 {key}・バージョン {version}・起票 {openedAt}',
  'card.field.state': '状態',
  'card.field.priority': '優先度',
  'card.field.subject': '対象者',
  'card.field.assignee': '担当者',
  'card.field.escalationSummary': 'エスカレーションの概要',
  'card.field.hrResponse': '人事の対応方針',
  'card.field.proposedAction': '提案中の措置',
  'card.field.approvals': '法務の承認',
  'card.field.outcome': '結果',
  'card.field.reminders': '送信済みリマインド',
  'card.value.approvals': '{required} 件中 {count} 件',
  'card.value.approvers': '{required} 件中 {count} 件：{approvers}',
  'card.value.remindersInState': 'この状態で {count} 回、最終 {time}',
  'card.value.unassigned': '未割り当て',
  'card.legalHold': 'リーガルホールド中です。この案件に関する情報は一切削除できません。',
  'subject.identity': '{name} <{email}>',
  'subject.unresolved': '{label}（ディレクトリに未登録）',
  'subject.unknown': '不明な人物',

  // The evidence list.
  'evidence.heading': '証跡：シグナル {count} 件',
  'evidence.headingOne': '証跡：シグナル 1 件',
  'evidence.none': 'この案件にはシグナルが紐づいていません。',
  'evidence.detail': '{severity}・{source}・{observedAt}',
  'evidence.files': 'ファイル {count} 件',
  'evidence.fileOne': 'ファイル 1 件',
  'evidence.destination': '送信先：{destination}',
  'evidence.indicators': '指標：{indicators}',
  'evidence.riskScore': 'リスクスコア {score}',
  'evidence.more':
    '…ほか {count} 件のシグナルがあります。すべて確認するには「casebridge cases show {key}」を実行してください。',

  // The direct message to the subject's manager. It never contains evidence.
  'manager.headline': '{name} さんに関する人事部からのお知らせ',
  'manager.body':
    '{name} さんの上長として、職場での事柄について本人との面談をお願いいたします。必要な詳細は人事部から追ってご連絡します。本通知を受け取られたことを「確認しました」ボタンでお知らせください。',
  'manager.done':
    '{name} さんに関する本通知について、これ以上のご対応は不要です。ご協力ありがとうございました。',
  'manager.reminder':
    'リマインド：{name} さんに関する通知について、人事部がご確認をお待ちしています。',
  'manager.footer': '参照番号 {key}',

  // Forms: titles (at most 24 characters, the Slack modal limit), buttons, fields.
  'form.title.ASSIGN': '担当者の割り当て',
  'form.title.DISMISS': '案件の終了',
  'form.title.ESCALATE': '人事へエスカレーション',
  'form.title.CHOOSE_RESPONSE': '人事の対応方針の選択',
  'form.title.RETURN_TO_SECURITY': 'セキュリティへ差し戻し',
  'form.title.RECORD_CONVERSATION': '面談の記録',
  'form.title.CLOSE': '案件の完了',
  'form.title.APPROVE': '措置の承認',
  'form.title.REJECT': '措置の却下',
  'form.title.RECORD_ACTION': '実施した措置の記録',
  'form.title.REOPEN': '案件の再開',
  'form.title.placeLegalHold': 'リーガルホールドの設定',
  'form.title.releaseLegalHold': 'リーガルホールドの解除',
  'form.intro': '案件 {key}：{action}',
  'form.submit': '送信',
  'form.cancel': 'キャンセル',
  'form.field.assignee': '担当者のメールアドレス',
  'form.field.outcome': '結果',
  'form.field.reason': '理由',
  'form.field.summary': '人事への概要',
  'form.field.response': '対応方針',
  'form.field.proposedAction': '法務に承認を求める措置',
  'form.field.question': 'セキュリティへの質問',
  'form.field.conversationNotes': '面談の記録',
  'form.field.actionNotes': '実施した内容',
  'form.hint.proposedAction':
    '重大な措置の場合は必須です。それ以外の場合は空欄のままにしてください。',
  'form.error.required': '値を入力してください。',
  'form.error.chooseOption': '選択肢から 1 つ選んでください。',
  'form.error.tooLong': '{max} 文字以内で入力してください。',
  'form.error.email': 'name@example.com の形式でメールアドレスを入力してください。',
  'form.error.proposedActionRequired': '法務に承認を求める措置を選択してください。',
  'form.error.proposedActionNotAllowed':
    '提案する措置は重大な措置の場合のみ指定できます。選択を解除してください。',

  // Replies visible only to the person who clicked.
  'refusal.alreadyDecided': '{time} に {actor} さんによって{action}です。',
  'refusal.roleRequired': 'この操作には{role}のロールが必要です。',
  'refusal.managerOnly': 'この通知を確認できるのは対象者の上長のみです。',
  'refusal.separationOfDuties':
    '職務分掌のため、この操作は別の担当者が行う必要があります（この案件をエスカレーションした、すでに承認した、または対象者の上長である場合）。',
  'refusal.notPossible': '案件が「{state}」の間はこの操作を行えません。',
  'refusal.unknownEmail':
    'お使いの {platform} アカウントのメールアドレス {email} は Casebridge のディレクトリに登録されていません。管理者に追加を依頼してください。',
  'refusal.noEmail':
    'Casebridge はお使いの {platform} アカウントのメールアドレスを読み取れません。管理者にアプリの権限の確認を依頼してください。',
  'refusal.caseNotFound': '案件 {key} が見つかりません。',
  'refusal.failed':
    'Casebridge はこの操作を記録できませんでした。しばらくしてから再度お試しください。',

  // Replies in a case thread, one per event.
  'reply.ASSIGN': '{actor} さんがこの案件を {assignee} さんに割り当てました。',
  'reply.NOTE': '{actor} さんがメモを追加しました。',
  'reply.noteWithText': '{actor} さんがメモを追加しました：{text}',
  'reply.DISMISS': '{actor} さんがこの案件を「{outcome}」として終了しました。',
  'reply.ESCALATE': '{actor} さんがこの案件を人事へエスカレーションしました。',
  'reply.CHOOSE_RESPONSE': '{actor} さんが対応方針を選択しました：{response}',
  'reply.chooseSeriousAction':
    '{actor} さんが{proposedAction}を提案しました。法務の承認が必要です。',
  'reply.RETURN_TO_SECURITY': '{actor} さんが質問を添えてこの案件をセキュリティへ差し戻しました。',
  'reply.RECORD_CONVERSATION': '{actor} さんが是正面談を記録し、この案件を完了しました。',
  'reply.ACKNOWLEDGE': '対象者の上長が通知を確認しました。',
  'reply.CLOSE': '{actor} さんがこの案件を完了しました：{outcome}',
  'reply.APPROVE': '{actor} さんが{proposedAction}を承認しました。',
  'reply.approvePartial':
    '{actor} さんが{proposedAction}を承認しました（{required} 件中 {count} 件）。もう 1 名の法務担当者による承認が必要です。',
  'reply.theProposedAction': '提案中の措置',
  'reply.REJECT': '{actor} さんが{proposedAction}を却下しました。案件は人事に戻りました。',
  'reply.RECORD_ACTION': '{actor} さんが実施した措置を記録し、この案件を完了しました。',
  'reply.REOPEN': '{actor} さんがこの案件を再開しました。',
  'reply.SIGNAL_ADDED':
    '新しいシグナルがこの案件に追加されました。現在の優先度は「{priority}」です。',
  'reply.placeLegalHold': '{actor} さんがこの案件にリーガルホールドを設定しました。',
  'reply.releaseLegalHold': '{actor} さんがこの案件のリーガルホールドを解除しました。',
  'reply.SLA_REMIND': 'リマインド：この案件は {since} から「{state}」のままです。',
  'reply.SLA_ESCALATE': 'この案件は {since} から「{state}」のままで、期限を過ぎています。',

  // Identity reveals: security asks to see who the subject is, HR or the privacy role decides.
  'reveal.requested':
    '{actor} さんが次の理由で、この案件の対象者の身元の開示を申請しました：{reason}',
  'reveal.approved':
    '{actor} さんが身元の開示を承認しました。{until} まで、セキュリティのスレッドで対象者の身元が表示されます。',
  'reveal.rejected': '{actor} さんが身元の開示申請を却下しました。',
  'reveal.expired': '身元の開示期間が終了しました。以降、対象者は新しい仮名で表示されます。',
  'reveal.bannerRevealed':
    '{approver} さんの承認により、{until} までセキュリティに身元を開示しています。',
  'reveal.bannerPending': '{requester} さんが身元の開示を申請中です（人事の判断待ち）：{reason}',
  'reveal.bannerDecide':
    'セキュリティの {requester} さんが、次の理由で対象者の身元の開示を申請しています：{reason}。Slack ではこのカードのボタンで、その他の環境では「casebridge cases reveal approve {key}」「casebridge cases reveal reject {key}」で承認・却下を行ってください。',
  'reveal.button.request': '身元の開示を申請',
  'reveal.button.approve': '開示を承認',
  'reveal.button.reject': '開示を却下',
  'reveal.form.title': '身元の開示申請',
  'reveal.form.intro':
    '案件 {key}：セキュリティに対象者の身元を開示するかどうかは、人事またはプライバシー担当者が判断します。',
  'reveal.form.reason': '身元の確認が必要な理由',
  'reveal.form.submit': '申請する',
  'reveal.refusedOpen':
    '案件 {key} には、判断待ちの開示申請または開示中の身元がすでにあります。人事の判断または開示期間の終了をお待ちください。',
  'reveal.refusedOwnRequest':
    '職務分離のため、ご自身が申請した、またはご自身が対象者である身元開示申請は判断できません。別の担当者が判断してください。',
  'reveal.refusedNone': '案件 {key} には、判断待ちの身元開示申請はありません。',
  'reveal.refusedReason': '理由を受け付けられませんでした：{problem}',

  // The daily digest in a role's channel. It lists case keys only, never a subject's name.
  'digest.heading': '{role}の対応待ち：{count} 件',
  'digest.headingOne': '{role}の対応待ち：1 件',
  'digest.line': '{key}・{state}・{priority}・待機 {waiting}',
  'digest.lineOverdue': '{key}・{state}・{priority}・待機 {waiting}・期限超過',
  'digest.hours': '{count} 時間',
  'digest.days': '{count} 日',
  'digest.more': '…ほか {count} 件。',

  // Alerts the delivery worker posts when it cannot deliver a thread.
  'alert.subjectInChannel':
    'Casebridge は案件 {key} を {audience} のチャンネルに投稿しませんでした。案件の対象者がそのチャンネルのメンバーです。対象者をチャンネルから外すか、この宛先を別のチャンネルに設定してください。',
  'alert.unidentifiedMembers':
    'Casebridge は案件 {key} を {audience} のチャンネルに投稿しませんでした。メンバーのうち {count} 名のメールアドレスを読み取れないため、対象者が含まれていないことを確認できません。アプリに users:read.email スコープを付与するか、該当メンバーを外してください。',
  'alert.managerUnreachable':
    'Casebridge は案件 {key} の上長への通知を {platform} で送信できませんでした（{reason}）。別の方法で上長にお伝えください。',
  'managersManager.escalation':
    '人事部から {manager} さんに確認が必要な通知が送られており、{since} から未確認のままです。Casebridge とのダイレクトメッセージで通知を開くよう、{manager} さんにお声がけください。',
  'alert.noManagersManager':
    '上長への通知が期限を過ぎましたが、ディレクトリには {manager} さんの上長が登録されていません。{manager} さんに直接ご連絡ください。',
  'files.title': 'ファイル操作：{summary}',
  'files.anomaly.person': '{category} の量がこの人の通常の {factor} 倍',
  'files.anomaly.department': '{category} の量が部署の 1 人あたり通常量の {factor} 倍',
  'files.anomaly.destination': '{destination} へ：{text}',
  'files.criticalOne': '重要ファイル「{label}」を含む',
  'files.critical': '重要ファイル登録簿のファイルを {count} 件含む',
  'files.flag': 'ファイルルール「{rule}」に該当',
  'files.watch': '監視ルール「{rule}」に該当',
  'files.where.heading': '{hash} の検出：{count} 件',
  'files.where.none': 'ファイルイベントにもアラートにも {hash} の検出はありません。',
  'files.where.critical': '重要ファイル：{label}（{sensitivity}）',
  'files.where.line': '{time} · {who} · {device} · {destination} · {source}',
  'files.where.unknown': '不明',
  'files.where.more':
    '…ほか {count} 件。すべて表示するには「casebridge files where {hash}」を実行してください。',
  'decided.ANONYMISE': '保存期間の経過により匿名化',
  'reply.ANONYMISE':
    '保存期間の経過によりこの案件は匿名化されました。対象者と証拠は削除されています。',
  'decided.HR_UPDATE': '人事記録により更新',
  'card.field.watchReason': '注目すべき理由',
  'watch.sentence': '{membership}。{facts}。',
  'watch.sentenceListOnly': '{membership}。',
  'watch.departing': '退職予定',
  'watch.departingIn': 'あと {days} 日で退職',
  'watch.departingTomorrow': '明日退職',
  'watch.departingToday': '本日が最終出社日',
  'watch.departedAgo': '{days} 日前に退職',
  'watch.newHire': '入社 {days} 日目の新入社員',
  'watch.newHireToday': '本日入社の新入社員',
  'watch.custom': 'ウォッチリスト「{list}」に登録',
  'watch.factSeparator': '、',
  'watch.fact.removableMedia': '{files}をリムーバブルメディアにコピー',
  'watch.fact.personalCloud': '{files}を個人のクラウドストレージにアップロード',
  'watch.fact.personalEmail': '{files}を個人のメールアドレスに送信',
  'watch.fact.sourceCode': '{files}を移動',
  'watch.fact.criticalFile': '重要ファイル登録簿の{files}を移動',
  'watch.fact.volumeAnomaly': '通常と異なる量のファイル操作',
  'watch.files': 'ファイル',
  'watch.fileOne': '1 件のファイル',
  'watch.filesCounted': '{count} 件のファイル',
  'watch.sourceFiles': 'ソースコードファイル',
  'watch.sourceFileOne': '1 件のソースコードファイル',
  'watch.sourceFilesCounted': '{count} 件のソースコードファイル',
  'manager.reassigned':
    '人事部はこの {name} さんに関する通知を新しい上長に引き継ぎました。ご対応いただく必要はありません。',
  'reply.hrDeparture': '人事更新：対象者の最終出社日（{date}）を迎えました。',
  'reply.hrManagerChanged': '人事更新：対象者の上長が変更されました。',
  'reply.hrManagerChangedTo':
    '人事更新：対象者の上長は {manager} さんになりました。保留中の上長への通知はこの方に送られ、前の上長は確認できなくなります。',
  'reply.hrManagerRemoved':
    '人事更新：ディレクトリに対象者の上長が登録されていないため、保留中の通知を確認できる上長はいません。',
} as const satisfies Record<keyof typeof en, string>;
