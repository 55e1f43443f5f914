// SPDX-License-Identifier: GPL-2.0
// Building the page's elements. Every string goes in as text (a text node),
// never as markup: event fields hold whatever bytes a file name or argument
// held, and the page must show them, not run them.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, kids) {
	for (const k of kids) {
		if (k === null || k === undefined || k === false)
			continue;
		if (Array.isArray(k))
			append(el, k);
		else if (k instanceof Node)
			el.appendChild(k);
		else
			el.appendChild(document.createTextNode(String(k)));
	}
	return el;
}

// Properties are set as DOM properties or plain attributes; "on*" take functions.
function setProps(el, props, svg) {
	for (const [k, v] of Object.entries(props || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.setAttribute('class', v);
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (!svg && k in el && typeof v !== 'string')
			el[k] = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	return el;
}

export function h(tag, props, ...kids) {
	return append(setProps(document.createElement(tag), props, false), kids);
}

export function s(tag, props, ...kids) {
	return append(setProps(document.createElementNS(SVG_NS, tag), props, true), kids);
}

export function clear(el) {
	while (el.firstChild)
		el.removeChild(el.firstChild);
	return el;
}

export function replace(el, ...kids) {
	return append(clear(el), kids);
}

// A value that filters the current view by itself when clicked (app.js
// listens for clicks on [data-field]).
export function fv(field, value, label) {
	if (value === null || value === undefined || value === '')
		return h('span', { class: 'none' }, label === undefined ? '' : label);
	return h('span', { class: 'fv', title: 'filter by ' + field, dataset: { field, value: String(value) } },
		label === undefined ? String(value) : label);
}

// "2026-12-04T10:00:00.123456789Z" -> "10:00:00.123" (title keeps it whole).
export function shortTime(t) {
	if (!t)
		return '';
	return h('time', { title: t }, t.length > 23 ? t.slice(11, 23) : t.slice(11));
}

export function dateTime(t) {
	if (!t)
		return '';
	return h('time', { title: t }, t.slice(0, 19).replace('T', ' '));
}

// A table from column specs [{label, cell: row => node|string}].
export function table(cols, rows, onRow, id) {
	const body = h('tbody');
	for (const r of rows) {
		// Paths and command lines (4 KB at worst) are cut at a few lines; the drawer has them whole.
		const tr = h('tr', null, cols.map(c => h('td', c.cls ? { class: c.cls } : null,
			/\b(path|args|bin)\b/.test(c.cls || '') ? h('div', { class: 'clamp' }, c.cell(r)) :
				c.cell(r))));
		if (onRow) {
			tr.classList.add('clickable');
			tr.tabIndex = 0; // Enter opens it too
			tr.addEventListener('click', e => {
				if (!e.target.closest('[data-field], a, button, select, input'))
					onRow(r);
			});
			tr.addEventListener('keydown', e => {
				if (e.key === 'Enter' && e.target === tr)
					onRow(r);
			});
		}
		body.appendChild(tr);
	}
	return h('table', { class: 'grid', id },
		h('thead', null, h('tr', null, cols.map(c => h('th', null, c.label)))), body);
}

export function message(text, cls) {
	return h('p', { class: cls || 'msg' }, text);
}

export function fmtBytes(n) {
	if (n === null || n === undefined)
		return '';
	const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let i = 0;
	while (n >= 1024 && i < u.length - 1) {
		n /= 1024;
		i++;
	}
	return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
}

export function errorBox(e) {
	return h('p', { class: 'error' }, e.status === 503 ? 'No history here: ' + e.message : e.message);
}

// Seconds or a Date from the range parameters (-1h, RFC 3339, Unix seconds).
export function parseTime(v, now) {
	if (!v)
		return now;
	const m = /^-(\d+)([smhd])$/.exec(v);
	if (m)
		return new Date(now.getTime() - m[1] * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]] * 1000);
	if (/^\d+$/.test(v))
		return new Date(v * 1000);
	const d = new Date(v);
	return isNaN(d) ? now : d;
}
