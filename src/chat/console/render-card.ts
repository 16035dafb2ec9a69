import { html, type SafeHtml } from '../../http/html/html.ts';
import { encodeActionPayload } from '../action-payload.ts';
import type { FormField, FormView } from '../forms.ts';
import type { ActionView, CaseView } from '../view-model.ts';

/** Where a console click comes from: the visitor and the thread the card is in. */
export interface ClickOrigin {
  as: string;
  channel: string;
  /** The console message id of the thread's root. */
  rootId: number;
  /** The console message id of the card, which makes the form's element ids unique on the page. */
  messageId: number;
}

function hiddenFields(
  origin: ClickOrigin,
  event: string,
  payload: string,
  nonce: string,
): SafeHtml {
  return html`<input type="hidden" name="as" value="${origin.as}">
<input type="hidden" name="event" value="${event}">
<input type="hidden" name="payload" value="${payload}">
<input type="hidden" name="channel" value="${origin.channel}">
<input type="hidden" name="root" value="${origin.rootId}">
<input type="hidden" name="nonce" value="${nonce}">`;
}

function renderField(
  field: FormField,
  idPrefix: string,
  values: Record<string, string>,
  errors: Record<string, string>,
): SafeHtml {
  const id = `${idPrefix}-${field.id}`;
  const value = values[field.id] ?? '';
  const error = errors[field.id];
  const described = [
    field.hint === null ? null : `${id}-hint`,
    error === undefined ? null : `${id}-error`,
  ].filter((part) => part !== null);
  const describedBy = described.length === 0 ? null : described.join(' ');
  const attributes = html`id="${id}" name="${field.id}"${field.required ? html` required` : ''}${
    describedBy === null ? '' : html` aria-describedby="${describedBy}"`
  }${error === undefined ? '' : html` aria-invalid="true"`}`;

  let input: SafeHtml;
  if (field.kind === 'select') {
    input = html`<select ${attributes}>
<option value="">Choose…</option>
${field.options.map(
  (option) =>
    html`<option value="${option.value}"${option.value === value ? html` selected` : ''}>${option.label}</option>`,
)}
</select>`;
  } else if (field.kind === 'textarea') {
    input = html`<textarea ${attributes} rows="3"${
      field.maxLength === null ? '' : html` maxlength="${field.maxLength}"`
    }>${value}</textarea>`;
  } else {
    input = html`<input type="text" ${attributes} value="${value}"${
      field.maxLength === null ? '' : html` maxlength="${field.maxLength}"`
    }>`;
  }
  return html`<label for="${id}">${field.label}${field.required ? '' : ' (optional)'}</label>
${field.hint === null ? '' : html`<div class="hint" id="${id}-hint">${field.hint}</div>`}
${input}
${error === undefined ? '' : html`<div class="error" id="${id}-error">${error}</div>`}`;
}

/** Renders a form: its intro, labelled fields with inline errors, and the submit button. */
export function renderForm(
  form: FormView,
  origin: ClickOrigin,
  nonce: string,
  state: { values?: Record<string, string>; errors?: Record<string, string> } = {},
): SafeHtml {
  const idPrefix = `f${origin.messageId}-${form.event}`;
  return html`<form method="post" action="/console/act" aria-label="${form.title}">
${hiddenFields(origin, form.event, encodeActionPayload(form.payload), nonce)}
<p>${form.intro}</p>
${form.fields.map((field) => renderField(field, idPrefix, state.values ?? {}, state.errors ?? {}))}
<p><button type="submit" class="primary">${form.submitLabel}</button></p>
</form>`;
}

function renderAction(action: ActionView, origin: ClickOrigin, nonce: () => string): SafeHtml {
  if (action.form !== null) {
    return html`<details class="form"><summary>${action.label}…</summary>
${renderForm(action.form, origin, nonce())}
</details>`;
  }
  return html`<form method="post" action="/console/act">
${hiddenFields(origin, action.event, encodeActionPayload(action.payload), nonce())}
<button type="submit" class="${action.style}">${action.label}</button>
</form>`;
}

/** Renders a case card as the audience's view shows it: the same fields, evidence and buttons as on Slack. */
export function renderCard(view: CaseView, origin: ClickOrigin, nonce: () => string): SafeHtml {
  return html`<div class="card" data-audience="${view.audience}" data-case="${view.caseKey}">
<h4>${view.headline}</h4>
${view.banners.map((banner) => html`<p class="banner">${banner}</p>`)}
${
  view.fields.length === 0
    ? ''
    : html`<dl class="fields">${view.fields.map(
        (field) => html`<dt>${field.label}</dt><dd data-field="${field.id}">${field.value}</dd>`,
      )}</dl>`
}
${
  view.evidence === null
    ? ''
    : html`<section class="evidence" aria-label="${view.evidence.heading}">
<h5>${view.evidence.heading}</h5>
<ul>${view.evidence.items.map(
        (item) =>
          html`<li><strong>${item.title}</strong><br><span class="meta">${item.detail}</span>${
            item.indicators === null ? '' : html`<br><span class="meta">${item.indicators}</span>`
          }</li>`,
      )}</ul>
${view.evidence.more === null ? '' : html`<p class="meta">${view.evidence.more}</p>`}
</section>`
}
${
  view.actions.length === 0
    ? ''
    : html`<div class="actions">${view.actions.map((action) => renderAction(action, origin, nonce))}</div>`
}
<p class="meta">${view.footer}</p>
</div>`;
}
