import type { slackEn } from './messages.ts';

/** The Japanese texts of the `/case` command and the App Home tab, with Slack's mrkdwn. */
export const slackJa = {
  'command.help': [
    '*Casebridge のコマンド*',
    '`/case show CB-0042`：ご自身のロールから見た案件の内容',
    '`/case mine`：あなたの判断を待っている案件',
    '`/case note CB-0042 メモの内容`：案件にメモを追加',
    '`/case watchlist list`：ウォッチリストの一覧。`show`・`add`・`remove` も使用可能（セキュリティチーム）',
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
  'command.watchlist.usage': [
    '次のいずれかの形式で入力してください。',
    '`/case watchlist list`：ウォッチリストの一覧と現在の登録人数',
    '`/case watchlist show departing`：リストに現在登録されている方',
    '`/case watchlist add contractors dana.lee@example.com ビルドサーバーへのアクセス権あり`',
    '`/case watchlist remove contractors dana.lee@example.com 契約終了のため`',
    '追加と削除には理由が必要です。対象はカスタムリストのみです。',
  ].join('\n'),
  'command.watchlist.securityOnly':
    'ウォッチリストの閲覧と変更ができるのはセキュリティチームだけです。',
  'command.watchlist.listHeading': '*ウォッチリスト*（現在の登録人数）',
  'command.watchlist.lifecycleLine': '`{list}`：{count} 名（人事の日付に基づき自動で管理）',
  'command.watchlist.customLine': '`{list}`：{count} 名（セキュリティチームが管理）',
  'command.watchlist.showHeading': '*`{list}` の登録者*：{count} 名',
  'command.watchlist.empty': '現在 `{list}` に登録されている方はいません。',
  'command.watchlist.unknownList':
    '登録者のいるウォッチリスト `{list}` はありません。`/case watchlist list` で一覧をご確認ください。',
  'command.watchlist.lifecycleMember': '{email}・{name}・{since} から {until} まで',
  'command.watchlist.openMember': '{email}・{name}・{since} から',
  'command.watchlist.customMember': '{email}・{name}・{since} から・登録者 {addedBy}：{reason}',
  'command.watchlist.more':
    '…ほか {count} 名。全員の一覧は `casebridge watchlist show {list}` でご確認ください。',
  'command.watchlist.added':
    '{email} を `{list}` に追加しました。この変更は監査証跡に記録されています。',
  'command.watchlist.removed':
    '{email} を `{list}` から削除しました。この変更は監査証跡に記録されています。',
  'command.watchlist.lifecycle':
    '`{list}` は人事の日付に基づいて管理されるため、ここでは変更できません。ディレクトリの日付を修正してください。',
  'command.watchlist.invalidList':
    '`{list}` はリスト名として使用できません。英小文字・数字・「-」・「_」で 63 文字以内とし、先頭は英小文字か数字にしてください。',
  'command.watchlist.invalidReason':
    'メールアドレスの後に、4000 文字以内で理由を入力してください。',
  'command.watchlist.personNotFound':
    '{email} はディレクトリに登録されていません。先にディレクトリへ追加してください。',
  'command.watchlist.alreadyMember': '{email} はすでに `{list}` に登録されています。',
  'command.watchlist.notMember':
    '{email} は `{list}` に登録されていません。登録者は `/case watchlist show {list}` でご確認ください。',
} as const satisfies Record<keyof typeof slackEn, string>;
