// SPDX-License-Identifier: GPL-2.0
// Saved exclusions: filters that hide matching rows from every view. They
// never delete events; "show excluded" in the header turns them off.
import { h, replace, dateTime, table, errorBox, message } from '../dom.js';
import * as api from '../api.js';

export const title = 'Exclusions';
export const fields = [];

const FIELDS = ['namespace', 'pod', 'binary', 'dest', 'path'];

export function mount(root) {
	const list = h('div', { id: 'exclusions-list' });
	const note = h('div', { id: 'exclusions-note' });
	let closed = false;
	async function refresh() {
		let r;
		try {
			r = await api.get('exclusions');
		} catch (e) {
			if (!closed)
				replace(list, errorBox(e));
			return;
		}
		if (closed)
			return;
		const rows = (r && r.exclusions) || [];
		replace(list, rows.length ? table([
			{ label: 'field', cell: x => x.field },
			{ label: 'value', cell: x => x.value },
			{ label: 'note', cell: x => x.note || '' },
			{ label: 'created', cell: x => dateTime(x.created) },
			{ label: '', cell: x => h('button', { type: 'button', onclick: async () => {
				try {
					await api.call('DELETE', 'exclusions/' + encodeURIComponent(x.id));
				} catch (e) {
					replace(note, errorBox(e));
				}
				refresh();
			} }, 'show again') },
		], rows, null, 'exclusions-table') : message('Nothing is hidden.'));
	}
	const field = h('select', { id: 'excl-field' }, FIELDS.map(f => h('option', { value: f }, f)));
	const value = h('input', { id: 'excl-value', required: true, placeholder: 'value or glob' });
	const why = h('input', { id: 'excl-note', placeholder: 'why (note)' });
	const form = h('form', { class: 'filters', id: 'excl-form', onsubmit: async e => {
		e.preventDefault();
		try {
			await api.call('POST', 'exclusions', null,
				{ field: field.value, value: value.value.trim(), note: why.value.trim() });
			value.value = '';
			why.value = '';
			replace(note);
		} catch (x) {
			replace(note, errorBox(x));
		}
		refresh();
	} }, field, value, why, h('button', { type: 'submit', id: 'excl-add' }, 'hide'));
	replace(root, h('h1', null, 'Exclusions'),
		h('p', { class: 'muted' }, 'Rows that match an exclusion are hidden in every view; ' +
			'the events stay in the store. Tick "show excluded" to see them.'),
		form, note, list);
	refresh();
	return () => {
		closed = true;
	};
}
