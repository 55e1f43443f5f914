// SPDX-License-Identifier: GPL-2.0
// Pieces the history views share: a filter form bound to the hash, paging
// by cursor, and client-side export of the rows shown.
import { h } from '../dom.js';
import { csvOf } from '../events.js';

// A form of text inputs for @keys; submitting writes them to the hash.
export function paramForm(id, ctx, keys, extra) {
	const inputs = {};
	const form = h('form', { class: 'filters', id, onsubmit: e => {
		e.preventDefault();
		const ch = { cursor: '' };
		for (const [k] of keys)
			ch[k] = inputs[k].type === 'checkbox' ? (inputs[k].checked ? '1' : '') :
				inputs[k].value.trim();
		ctx.setParams(ch);
	} }, keys.map(([k, ph, type]) => {
		if (type === 'checkbox')
			return h('label', null, (inputs[k] = h('input', { type: 'checkbox', name: k, id: id + '-' + k,
				checked: ctx.params[k] === '1' })), ' ' + ph);
		return (inputs[k] = h('input', { name: k, id: id + '-' + k, value: ctx.params[k] || '',
			placeholder: ph, size: type || 14 }));
	}), extra || null, h('button', { type: 'submit', id: id + '-apply' }, 'show'));
	return form;
}

function download(name, type, text) {
	const a = h('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// Export of the rows a view shows, as JSON lines or CSV of @cols.
export function exportBar(name, rows, cols) {
	return h('div', { class: 'export' },
		h('button', { type: 'button', class: 'link', onclick: () => download(name + '.jsonl',
			'application/x-ndjson', rows.map(r => JSON.stringify(r)).join('\n') + '\n') },
		'export JSON lines'), ' ',
		h('button', { type: 'button', class: 'link', onclick: () => download(name + '.csv',
			'text/csv', csvOf(rows, cols)) }, 'export CSV'));
}

// "next page" from the answer's next_cursor.
export function pager(ctx, next) {
	if (!next)
		return null;
	return h('p', null, h('button', { type: 'button', class: 'next', onclick: () =>
		ctx.setParams({ cursor: next }) }, 'older →'));
}

export function parentsText(parents) {
	// Nearest first in the answer: shown as a chain from the oldest.
	return (parents || []).filter(p => p.binary).map(p => p.binary.replace(/.*\/(?=.)/, ''))
		.reverse().join(' › ');
}
