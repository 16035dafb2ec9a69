import type { CaseState } from '../../../workflows/case-events.ts';
import type { CaseDetail } from '../../cases/show-case.ts';
import type { ConsoleViewer } from '../../chat/console/console-people.ts';
import { stateLabel } from '../../chat/messages/labels.ts';
import { html, page, type SafeHtml } from '../html/html.ts';
import { barChart } from './bar-chart.ts';
import { ageBuckets, type DashboardData } from './load-dashboard.ts';

/** Colours with at least 4.5:1 contrast against white, so that marks and legend stay readable. */
const palette = ['#0b57d0', '#b45309', '#15803d', '#7e22ce', '#b3261e', '#0e7490', '#4b5563'];

/** An open case as the dashboard lists it, with the subject already shown as the viewer may see it. */
export interface DashboardCase {
  key: string;
  state: string;
  priority: string;
  openedAt: Date;
  subjectLabel: string;
}

function topBar(viewer: ConsoleViewer | null): SafeHtml {
  const as = viewer === null ? '' : `?as=${encodeURIComponent(viewer.email)}`;
  return html`<header class="top">
<strong>Casebridge dashboard</strong>
<nav aria-label="Main"><a href="/dashboard${as}">Dashboard</a> · <a href="/console${as}">Console</a></nav>
${viewer === null ? '' : html`<span>Viewing as <strong>${viewer.name}</strong> (${viewer.roles.join(', ')})</span>`}
</header>`;
}

function label(state: string): string {
  return stateLabel('en', state as CaseState);
}

function figure(caption: string, chart: SafeHtml, note: SafeHtml | string = ''): SafeHtml {
  return html`<figure>${chart}<figcaption>${caption}</figcaption>${note === '' ? '' : html`<p class="meta">${note}</p>`}</figure>`;
}

/** Renders the dashboard: plots of open cases, time in state, outcomes, SLA breaches and watchlists. */
export function renderDashboard(
  viewer: ConsoleViewer,
  data: DashboardData,
  openCases: DashboardCase[],
): string {
  const as = encodeURIComponent(viewer.email);
  const open = figure(
    'Open cases by state and age',
    barChart({
      title: 'Open cases by state, split by age since opening',
      categories: data.openByState.map((row) => label(row.state)),
      series: ageBuckets.map((bucket, index) => ({
        name: bucket.label,
        color: palette[index] ?? '#4b5563',
        values: data.openByState.map((row) => row.byAge[index] ?? 0),
      })),
      mode: 'stacked',
      unit: 'cases',
    }),
  );
  const time = figure(
    'Time in each state (completed stays, from the audit trail)',
    barChart({
      title: 'Median and 90th percentile hours spent in each state',
      categories: data.timeInState.map((row) => `${label(row.state)} (${row.stays})`),
      series: [
        {
          name: 'median',
          color: palette[0] ?? '',
          values: data.timeInState.map((row) => row.medianHours),
        },
        {
          name: 'p90',
          color: palette[1] ?? '',
          values: data.timeInState.map((row) => row.p90Hours),
        },
      ],
      mode: 'grouped',
      unit: 'hours',
    }),
    'The number after each state counts the stays measured.',
  );
  const outcomeNames = [
    ...new Set(data.outcomesByWeek.flatMap((row) => Object.keys(row.outcomes))),
  ].sort();
  const outcomes = figure(
    'Outcomes of closed cases per week',
    data.outcomesByWeek.length === 0
      ? html`<p>No case has been closed yet.</p>`
      : barChart({
          title: 'Closed cases per week (starting Monday, UTC), split by outcome',
          categories: data.outcomesByWeek.map((row) => row.week),
          series: outcomeNames.map((name, index) => ({
            name,
            color: palette[index % palette.length] ?? '#4b5563',
            values: data.outcomesByWeek.map((row) => row.outcomes[name] ?? 0),
          })),
          mode: 'stacked',
          unit: 'cases',
        }),
  );
  const breaches = figure(
    'SLA breaches: escalations fired per state',
    barChart({
      title: 'SLA escalation timers that fired, per state',
      categories: data.breachesByState.map((row) => label(row.state)),
      series: [
        {
          name: 'escalations',
          color: palette[4] ?? '',
          values: data.breachesByState.map((row) => row.count),
        },
      ],
      mode: 'stacked',
      unit: 'escalations',
    }),
  );
  const watchlists = figure(
    'Watchlist sizes',
    barChart({
      title: 'Members per watchlist',
      categories: data.watchlists.map((row) => row.name),
      series: [
        {
          name: 'members',
          color: palette[5] ?? '',
          values: data.watchlists.map((row) => row.members),
        },
      ],
      mode: 'stacked',
      unit: 'people',
    }),
  );

  return page(
    'Casebridge dashboard',
    html`${topBar(viewer)}
<main>
<h1>Dashboard</h1>
<p class="meta">Read-only figures from the case store and its audit trail.${
      viewer.roles.includes('hr') || viewer.roles.includes('legal')
        ? ''
        : ' Subjects are shown by pseudonym.'
    }</p>
<div class="charts">${open}${time}${outcomes}${breaches}${watchlists}</div>
<h2>Open cases</h2>
<table>
<caption class="visually-hidden">Open cases, oldest first</caption>
<thead><tr><th scope="col">Case</th><th scope="col">State</th><th scope="col">Priority</th><th scope="col">Subject</th><th scope="col">Opened</th></tr></thead>
<tbody>${openCases.map(
      (row) =>
        html`<tr><td><a href="/dashboard/cases/${row.key}?as=${as}">${row.key}</a></td><td>${label(row.state)}</td><td>${row.priority}</td><td>${row.subjectLabel}</td><td>${row.openedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</td></tr>`,
    )}</tbody>
</table>
</main>`,
  );
}

/** Renders one case with its full audit timeline; `redact` hides the subject's identity from security. */
export function renderCasePage(
  viewer: ConsoleViewer,
  detail: CaseDetail,
  subjectLabel: string,
  redact: (text: string) => string,
): string {
  return page(
    `Case ${detail.key}`,
    html`${topBar(viewer)}
<main>
<h1>Case ${detail.key}</h1>
<dl class="fields">
<dt>State</dt><dd>${label(detail.state)}</dd>
<dt>Priority</dt><dd>${detail.priority}</dd>
<dt>Subject</dt><dd data-field="subject">${subjectLabel}</dd>
<dt>Opened</dt><dd>${detail.openedAt}</dd>
<dt>Outcome</dt><dd>${detail.outcome ?? '—'}</dd>
</dl>
<h2>Audit timeline</h2>
<ol class="timeline">${detail.events.map(
      (event) =>
        html`<li><time datetime="${event.at}">${event.at}</time> · <strong>${event.type}</strong> (${event.outcome}) by ${redact(event.actor)}${
          event.actorRole === null ? '' : ` as ${event.actorRole}`
        }${event.fromState === null && event.toState === null ? '' : ` · ${event.fromState ?? '—'} → ${event.toState ?? '—'}`}${
          event.reason === null ? '' : html`<br><span class="meta">${redact(event.reason)}</span>`
        }</li>`,
    )}</ol>
</main>`,
  );
}

/** Renders the page where the visitor picks who views the dashboard. */
export function renderDashboardPicker(people: ConsoleViewer[]): string {
  const allowed = people.filter((person) => person.roles.length > 0);
  return page(
    'Casebridge dashboard: choose a person',
    html`${topBar(null)}<main><h1>Who is viewing?</h1>
<p>The dashboard is for security, HR and Legal. Security sees subjects by pseudonym.</p>
<ul>${allowed.map(
      (person) =>
        html`<li><a href="/dashboard?as=${encodeURIComponent(person.email)}">${person.name}</a> <span class="meta">${person.roles.join(', ')}</span></li>`,
    )}</ul></main>`,
  );
}
