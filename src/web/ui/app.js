// SPDX-License-Identifier: GPL-2.0
// The page's shell: a hash router (#/VIEW?filters, so every view has a
// permalink of its filters), the time range every view shares, the timeline,
// the login form, and clicks on values that filter by them.
import { h, replace, parseTime } from './dom.js';
import * as api from './api.js';
import { drawTimeline } from './timeline.js';
import { closeDrawer } from './drawer.js';
import * as live from './views/live.js';
import * as files from './views/files.js';
import * as egress from './views/egress.js';
import * as tree from './views/tree.js';
import * as policies from './views/policies.js';
import * as profile from './views/profile.js';
import * as health from './views/health.js';
import * as exclusions from './views/exclusions.js';

const VIEWS = { live, files, egress, tree, policies, profile, health, exclusions };
const ORDER = ['live', 'files', 'egress', 'tree', 'profile', 'policies', 'exclusions', 'health'];
// Parameters that follow the user from view to view.
const GLOBAL = ['since', 'until', 'exclusions'];
const RANGES = ['1h', '6h', '24h', '7d'];

let current = null; // { name, view, unmount }

export function route() {
	const hash = location.hash.replace(/^#\/?/, '');
	const i = hash.indexOf('?');
	const name = (i < 0 ? hash : hash.slice(0, i)) || 'live';
	const params = Object.fromEntries(new URLSearchParams(i < 0 ? '' : hash.slice(i + 1)));
	return { name: VIEWS[name] ? name : 'live', params };
}

export function href(name, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, v);
	const qs = q.toString();
	return '#/' + name + (qs ? '?' + qs : '');
}

function globals(params) {
	const g = {};
	for (const k of GLOBAL)
		if (params[k])
			g[k] = params[k];
	return g;
}

export function go(name, params) {
	const target = href(name, params);
	if (location.hash !== target)
		location.hash = target;
	else
		render();
}

// Merges @changes into the current view's parameters ('' removes one).
export function setParams(changes) {
	const r = route();
	go(r.name, Object.assign({}, r.params, changes));
}

// The parameters every history request carries.
export function common(params) {
	return {
		since: params.since || '-1h',
		until: params.until,
		exclusions: params.exclusions,
	};
}

function nav(r) {
	const g = globals(r.params);
	const links = ORDER.map(n => h('a', { href: href(n, g), class: n === r.name ? 'active' : null,
		id: 'nav-' + n }, VIEWS[n].title));
	const passwd = h('a', { href: href('files', Object.assign({ path: '/etc/passwd' }, g)),
		class: 'quick', id: 'quick-passwd' }, 'Who touched /etc/passwd?');
	return [h('strong', { class: 'brand' }, 'hornet'), h('nav', null, links), passwd];
}

function rangeBar(r) {
	const since = r.params.since || '-1h';
	const buttons = RANGES.map(x => h('button', {
		type: 'button', class: !r.params.until && since === '-' + x ? 'on' : null,
		dataset: { range: x }, onclick: () => setParams({ since: '-' + x, until: '' }),
	}, x));
	// A custom range shows in the inputs, in local time as they take it.
	const local = v => {
		const d = parseTime(v, new Date());
		return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
	};
	const custom = r.params.until || !/^-\d+[smhd]$/.test(since);
	const from = h('input', { type: 'datetime-local', id: 'range-from', step: '1',
		value: custom ? local(since) : null });
	const to = h('input', { type: 'datetime-local', id: 'range-to', step: '1',
		value: r.params.until ? local(r.params.until) : null });
	const form = h('form', { class: 'custom', onsubmit: e => {
		e.preventDefault();
		if (!from.value)
			return;
		setParams({
			since: new Date(from.value).toISOString(),
			until: to.value ? new Date(to.value).toISOString() : '',
		});
	} }, from, '–', to, h('button', { type: 'submit' }, 'custom'));
	const hidden = h('label', { class: 'hidden-toggle' },
		h('input', { type: 'checkbox', id: 'show-hidden', checked: r.params.exclusions === 'off',
			onchange: e => setParams({ exclusions: e.target.checked ? 'off' : '' }) }),
		' show excluded');
	const shown = h('span', { class: 'range-label', id: 'range-label' },
		r.params.until ? since + ' to ' + r.params.until : 'since ' + since);
	return [buttons, form, shown, hidden];
}

function render() {
	const r = route();
	if (current && current.unmount)
		current.unmount();
	closeDrawer();
	replace(document.getElementById('top'), nav(r));
	replace(document.getElementById('range'), rangeBar(r));
	const root = replace(document.getElementById('view'));
	const view = VIEWS[r.name];
	document.title = 'hornet: ' + view.title;
	const ctx = {
		params: r.params,
		common: () => common(r.params),
		setParams,
		go: (name, p) => go(name, Object.assign(globals(r.params), p)),
	};
	current = { name: r.name, unmount: null };
	current.unmount = view.mount(root, ctx) || null;
	drawTimeline(document.getElementById('timeline'), r.params, (since, until) =>
		setParams({ since, until }));
}

// A click on a value filters by it: in this view when it has that filter,
// else in the live view.
function onValueClick(e) {
	const el = e.target.closest('[data-field]');
	if (!el || !el.dataset.field)
		return;
	e.preventDefault();
	e.stopPropagation();
	const r = route();
	const { field, value } = el.dataset;
	if ((VIEWS[r.name].fields || []).includes(field))
		setParams({ [field]: value, cursor: '' });
	else
		go('live', Object.assign(globals(r.params), { [field]: value }));
}

function showLogin(why) {
	const dlg = document.getElementById('login');
	if (!dlg.hidden)
		return;
	const input = h('input', { type: 'password', id: 'login-token', autocomplete: 'current-password',
		required: true, placeholder: 'token' });
	const err = h('p', { class: 'error', id: 'login-error' }, why || '');
	const form = h('form', { onsubmit: async e => {
		e.preventDefault();
		try {
			await api.login(input.value.trim());
			dlg.hidden = true;
			render();
		} catch (x) {
			err.textContent = x.status === 401 ? 'wrong token' : x.message;
		}
	} }, h('h2', null, 'hornet'),
	h('p', null, 'Paste the token from the link the agent printed (make run), or from ' +
		'the http.token file beside the agent\'s socket.'),
	input, h('button', { type: 'submit', id: 'login-submit' }, 'Sign in'), err);
	replace(dlg, form);
	dlg.hidden = false;
	input.focus();
}

export function start() {
	// The server turned ?token=T into a cookie: keep the token out of the
	// address bar, the history and any screenshot.
	if (new URLSearchParams(location.search).has('token'))
		history.replaceState(null, '', location.pathname + location.hash);
	api.setUnauthorizedHandler(() => showLogin());
	document.addEventListener('click', onValueClick, true);
	window.addEventListener('hashchange', render);
	document.addEventListener('keydown', e => {
		if (e.key === 'Escape')
			closeDrawer();
	});
	render();
}

start();
