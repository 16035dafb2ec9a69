import { randomUUID } from 'node:crypto';
import { html, page, type SafeHtml } from '../../http/html/html.ts';
import type { FormView } from '../forms.ts';
import type { CaseView } from '../view-model.ts';
import { directChannelOwner } from './console-channels.ts';
import { botAuthor } from './console-port.ts';
import type { ConsoleMessageRow, ConsoleThread } from './load-console-feed.ts';
import { type ClickOrigin, renderCard, renderForm } from './render-card.ts';

/** A person the visitor may act as. */
export interface ConsolePerson {
  email: string;
  name: string;
  roles: string[];
}

function topBar(viewer: ConsolePerson | null): SafeHtml {
  return html`<header class="top">
<strong>Casebridge console</strong>
<nav aria-label="Main"><a href="/console">Switch person</a> · <a href="/dashboard${
    viewer === null ? '' : `?as=${encodeURIComponent(viewer.email)}`
  }">Dashboard</a></nav>
${viewer === null ? '' : html`<span>Acting as <strong>${viewer.name}</strong> (${viewer.email}${viewer.roles.length === 0 ? '' : `, ${viewer.roles.join(', ')}`})</span>`}
</header>`;
}

/** Renders the page where the visitor picks the person of the directory they act as. */
export function renderPersonPicker(people: ConsolePerson[]): string {
  return page(
    'Casebridge console: choose a person',
    html`${topBar(null)}
<main>
<h1>Who are you?</h1>
<p>The console is a local chat for trying Casebridge. Pick a person of the directory to see the channels and direct messages that person would see. There is no password: the console is served to this machine only, or with CONSOLE_TOKEN.</p>
<ul class="people">
${people.map(
  (person) =>
    html`<li><a href="/console?as=${encodeURIComponent(person.email)}">${person.name}</a> <span class="meta">${person.email}${
      person.roles.length === 0 ? '' : ` · ${person.roles.join(', ')}`
    }</span></li>`,
)}
</ul>
</main>`,
  );
}

function channelTitle(channel: string): string {
  return directChannelOwner(channel) === null ? `#${channel}` : 'Direct messages';
}

function renderMessage(
  row: ConsoleMessageRow,
  viewer: ConsolePerson,
  rootId: number,
  isReply: boolean,
): SafeHtml {
  const origin: ClickOrigin = { as: viewer.email, channel: row.channel, rootId, messageId: row.id };
  const nonce = () => randomUUID();
  const content = row.content as { view?: CaseView; text?: string; form?: FormView };
  let body: SafeHtml;
  if (row.kind === 'card' && content.view !== undefined)
    body = renderCard(content.view, origin, nonce);
  else if (row.kind === 'form' && content.form !== undefined) {
    body = html`<h4>${content.form.title}</h4>${renderForm(content.form, origin, nonce())}`;
  } else body = html`<p>${content.text ?? ''}</p>`;

  const classes = ['message', isReply ? 'reply' : '', row.visibleTo === null ? '' : 'private']
    .filter((part) => part !== '')
    .join(' ');
  const author = row.author === botAuthor ? 'Casebridge' : row.author;
  return html`<article class="${classes}" id="m-${row.id}">
<p class="meta">${author} · <time datetime="${row.createdAt.toISOString()}">${row.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>${
    row.visibleTo === null ? '' : ' · Only visible to you'
  }</p>
${body}
</article>`;
}

function renderThread(thread: ConsoleThread, viewer: ConsolePerson): SafeHtml {
  const rootId = thread.root.id;
  const noteId = `note-${rootId}`;
  return html`<div class="thread">
${renderMessage(thread.root, viewer, rootId, false)}
${thread.replies.map((reply) => renderMessage(reply, viewer, rootId, true))}
${
  thread.root.kind === 'card' && directChannelOwner(thread.root.channel) === null
    ? html`<form method="post" action="/console/note" class="reply-form">
<input type="hidden" name="as" value="${viewer.email}">
<input type="hidden" name="channel" value="${thread.root.channel}">
<input type="hidden" name="root" value="${rootId}">
<label for="${noteId}">Reply in thread (adds a note to the case)</label>
<textarea id="${noteId}" name="text" rows="2" maxlength="4000" required></textarea>
<p><button type="submit">Add note</button></p>
</form>`
    : ''
}
</div>`;
}

/** Renders the channels of one person: the part of the page that live updates replace. */
export function renderFeed(viewer: ConsolePerson, feed: Map<string, ConsoleThread[]>): SafeHtml {
  return html`${[...feed].map(
    ([
      channel,
      threads,
    ]) => html`<section class="channel" aria-labelledby="ch-${channel.replace(/[^a-z0-9]/gi, '-')}" data-channel="${channel}">
<h2 id="ch-${channel.replace(/[^a-z0-9]/gi, '-')}">${channelTitle(channel)}</h2>
${threads.length === 0 ? html`<p class="meta">No messages yet.</p>` : threads.map((thread) => renderThread(thread, viewer))}
</section>`,
  )}`;
}

/**
 * The script of the console page: it listens to the page's Server-Sent Events and reloads the
 * feed when a channel of this person changes, unless the person is filling a form, in which case
 * it offers a reload link instead of replacing what they typed.
 */
const liveScript = `
(() => {
  const feed = document.getElementById('feed');
  const status = document.getElementById('live-status');
  const as = feed.dataset.as;
  const busy = () => feed.querySelector('details[open]') !== null || (document.activeElement && feed.contains(document.activeElement) && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) && document.activeElement.value !== '');
  let pending = false;
  const refresh = async () => {
    if (busy()) { pending = true; status.innerHTML = 'New activity. <a href="">Reload</a> to see it.'; return; }
    pending = false;
    const response = await fetch('/console/feed?as=' + encodeURIComponent(as), { headers: { accept: 'text/html' } });
    if (response.ok) { feed.innerHTML = await response.text(); status.textContent = 'Updated ' + new Date().toLocaleTimeString(); }
  };
  const events = new EventSource('/console/events?as=' + encodeURIComponent(as));
  events.addEventListener('change', () => { void refresh(); });
  // A change published between the page's rendering and the (re)connection of the stream sends no
  // event to this page, so every connection starts with a fetch of the feed.
  events.addEventListener('open', () => { document.body.dataset.live = 'on'; void refresh(); });
  document.addEventListener('toggle', () => { if (pending) void refresh(); }, true);
})();
`;

/** Renders the console page of one person. */
export function renderConsolePage(
  viewer: ConsolePerson,
  feed: Map<string, ConsoleThread[]>,
): string {
  return page(
    `Casebridge console: ${viewer.name}`,
    html`${topBar(viewer)}
<main>
<h1>Channels of ${viewer.name}</h1>
<p id="live-status" class="meta" role="status" aria-live="polite"></p>
<div id="feed" data-as="${viewer.email}">${renderFeed(viewer, feed)}</div>
</main>`,
    { script: liveScript },
  );
}

/** Renders a form again with the person's values and the errors to fix, as Slack keeps a modal open. */
export function renderFormPage(
  viewer: ConsolePerson,
  form: FormView,
  origin: ClickOrigin,
  state: { values: Record<string, string>; errors: Record<string, string> },
): string {
  return page(
    `${form.title}: fix the form`,
    html`${topBar(viewer)}
<main>
<h1>${form.title}</h1>
<p class="error" role="alert">Some values are missing or invalid. Fix them and send the form again.</p>
${renderForm(form, origin, randomUUID(), state)}
<p><a href="/console?as=${encodeURIComponent(viewer.email)}#m-${origin.rootId}">${form.cancelLabel}</a></p>
</main>`,
  );
}

/** Renders a page with one message, such as the refusal to serve an unknown person. */
export function renderNotice(title: string, text: string): string {
  return page(title, html`${topBar(null)}<main><h1>${title}</h1><p>${text}</p></main>`);
}
