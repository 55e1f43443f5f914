// SPDX-License-Identifier: GPL-2.0
// The JSON API of docs/api.md. The token travels in the HttpOnly cookie the
// server set (from /?token=T or POST /api/v1/login): the page never sees it.

export class ApiError extends Error {
	constructor(status, msg) {
		super(msg);
		this.status = status;
	}
}

let onUnauthorized = () => {};

export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

export function url(path, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {}))
		if (v !== undefined && v !== null && v !== '')
			q.set(k, v);
	const qs = q.toString();
	return '/api/v1/' + path + (qs ? '?' + qs : '');
}

export async function call(method, path, params, body, type) {
	const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
	if (body !== undefined) {
		opts.body = typeof body === 'string' ? body : JSON.stringify(body);
		opts.headers['Content-Type'] = type || 'application/json';
	}
	let res;
	try {
		res = await fetch(url(path, params), opts);
	} catch (e) {
		throw new ApiError(0, 'the agent does not answer: ' + e.message);
	}
	let data = null;
	const text = await res.text();
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		data = null;
	}
	if (res.status === 401)
		onUnauthorized();
	if (!res.ok)
		throw new ApiError(res.status, (data && data.error) || text || res.statusText);
	return data;
}

export const get = (path, params) => call('GET', path, params);

export async function login(token) {
	return call('POST', 'login', null, { token });
}
