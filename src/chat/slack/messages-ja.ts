import type { slackEn } from './messages.ts';

/** The Japanese texts of the `/case` command and the App Home tab, with Slack's mrkdwn. */
export const slackJa = {
  'command.help': [
    '*Casebridge のコマンド*',
    '`/case show CB-0042`：ご自身のロールから見た案件の内容',
    '`/case mine`：あなたの判断を待っている案件',
    '`/case note CB-0042 メモの内容`：案件にメモを追加',
    '`/case help`：この一覧',
  ].join('\n'),
  'command.unknown': '`/case {name}` というコマンドはありません。',
  'command.usage.show': '表示する案件を指定してください。例：`/case show CB-0042`',
  'command.usage.note':
    '案件とメモの内容を指定してください。例：`/case note CB-0042 人事に連絡済み。`',
  'command.noRole':
    'Casebridge のロール（セキュリティ、人事、法務）が付与されていないため、案件の詳細は表示できません。',
  'command.notShared': '案件 {key} は「{state}」の間、あなたのロールには共有されていません。',
  'command.noteAdded': '案件 {key} にメモを追加しました。',
  'pending.heading': 'あなたの判断待ち：{count} 件',
  'pending.headingOne': 'あなたの判断待ち：1 件',
  'pending.none': 'あなたの判断を待っている案件はありません。',
  'pending.item': '*{key}*・{state}・{priority}・起票 {openedAt}',
  'pending.managerItem': '*{key}*・{headline}',
  'pending.more': '…ほか {count} 件。古い順に表示しています。',
  'home.title': 'Casebridge',
  'home.hint':
    '案件のスレッドで判断するか、任意の場所で `/case show CB-0042` と入力すると、案件をご自身だけに表示できます。',
  'command.usage.filesWhere':
    'ファイルの SHA-256 または MD5 を指定してください。例：`/case files where 14d749cc…`（64 桁すべて）',
  'command.securityOnly': 'ファイルの検出を照会できるのはセキュリティチームだけです。',
} as const satisfies Record<keyof typeof slackEn, string>;
