import escapeHtml from 'escape-html';

/** Markup that is already escaped; `html` inserts it as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * A tagged template that escapes every interpolated value with `escape-html` (`& < > " '`),
 * except values that are `SafeHtml` (the result of another `html` template). Arrays are joined,
 * and null, undefined and false render as nothing. Attribute values must be quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) {
    out += render(values[index] as Interpolation) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(out);
}

/** Marks trusted markup, such as an SVG that the server built with `html`, as safe. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Styles shared by the console and the dashboard: readable contrast and a visible focus ring. */
const styles = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4b5563; --line: #c9ced6; --accent: #0b57d0; --danger: #b3261e; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #102a43; color: #fff; flex-wrap: wrap; }
header.top a { color: #fff; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: #fff; color: var(--ink); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: #fff; border-color: var(--danger); color: var(--danger); }
section.channel { margin-bottom: 2rem; }
article.message { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin: .6rem 0; }
article.reply { margin-left: 1.5rem; background: #fbfbfc; }
article.private { border-style: dashed; border-color: var(--danger); }
.meta { color: var(--muted); font-size: .875rem; }
.banner { background: #fff4e5; border-left: 4px solid #b45309; padding: .4rem .6rem; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .6rem 0; }
dl.fields dt { font-weight: 600; }
dl.fields dd { margin: 0; white-space: pre-wrap; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: flex-start; margin-top: .6rem; }
.actions form { margin: 0; }
details.form { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .6rem; background: #fff; }
details.form summary { cursor: pointer; font-weight: 600; }
details.form[open] { flex-basis: 100%; }
label { display: block; font-weight: 600; margin-top: .5rem; }
input[type=text], textarea, select { font: inherit; width: 100%; max-width: 40rem; padding: .3rem; border: 1px solid #6b7280; border-radius: 4px; }
.error { color: var(--danger); font-weight: 600; }
.hint { color: var(--muted); font-size: .875rem; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .6rem; }
figcaption { font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** Wraps a page body in the document: language, title, viewport and the shared styles. */
export function page(title: string, body: SafeHtml, options: { script?: string } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(styles)}</style>
</head>
<body>
${body}
${options.script === undefined ? '' : trusted(`<script>${options.script}</script>`)}
</body>
</html>`.value;
}
