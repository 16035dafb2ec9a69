import type { teamsEn } from './messages.ts';

/** The Japanese texts of the bot commands in Teams, as Teams markdown. */
export const teamsJa = {
  'command.help': [
    '**Casebridge のコマンド**（チャネルでは先に Casebridge を @メンションしてください）',
    '- `show CB-0042`：ご自身のロールから見た案件の内容',
    '- `mine`：あなたの判断を待っている案件',
    '- `note CB-0042 メモの内容`：案件にメモを追加',
    '- `help`：この一覧',
  ].join('\n'),
  'command.unknown': '`{name}` というコマンドはありません。',
  'command.usage.show': '表示する案件を指定してください。例：`show CB-0042`',
  'command.personalOnly':
    '`{name}` は Casebridge との 1 対 1 のチャットで送信してください。チャネルでの返信はメンバー全員に見えますが、案件は必要な人にだけ表示されます。',
  'command.usage.note': '案件とメモの内容を指定してください。例：`note CB-0042 人事に連絡済み。`',
  'command.noRole':
    'Casebridge のロール（セキュリティ、人事、法務）が付与されていないため、案件の詳細は表示できません。',
  'command.notShared': '案件 {key} は「{state}」の間、あなたのロールには共有されていません。',
  'command.noteAdded': '案件 {key} にメモを追加しました。',
  'pending.heading': 'あなたの判断待ち：{count} 件',
  'pending.headingOne': 'あなたの判断待ち：1 件',
  'pending.none': 'あなたの判断を待っている案件はありません。',
  'pending.item': '**{key}**・{state}・{priority}・起票 {openedAt}',
  'pending.managerItem': '**{key}**・{headline}',
  'pending.more': '…ほか {count} 件。古い順に表示しています。',
} as const satisfies Record<keyof typeof teamsEn, string>;
