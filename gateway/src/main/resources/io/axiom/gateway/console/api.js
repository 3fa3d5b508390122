/*
 * The REST client of the console. Every call carries Authorization: Bearer <token> when a token is known; the token
 * lives in sessionStorage only (never localStorage, never a URL). A 401 asks the user for a token (one prompt for
 * all the calls waiting on it) and repeats the call with it. Every other refusal is thrown as an ApiError holding
 * the server's problem JSON (code, detail).
 */

const TOKEN_KEY = 'axiom.api-token';

let askForToken = null;
let pendingPrompt = null;

/** @returns {string} the token of this tab, or ''. */
export function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
}

/** @param {string} value the token to keep for this tab ('' forgets it). */
export function setToken(value) {
    if (value) {
        sessionStorage.setItem(TOKEN_KEY, value);
    } else {
        sessionStorage.removeItem(TOKEN_KEY);
    }
}

/**
 * @param {function(string): Promise<string>} prompt shows why a token is needed and resolves with the one entered.
 */
export function onTokenNeeded(prompt) {
    askForToken = prompt;
}

/**
 * Ask for a token once, whoever needs it: concurrent callers share one prompt.
 *
 * @param {string} why the server's reason.
 * @returns {Promise<void>} once a token was entered.
 */
export function needToken(why) {
    if (!pendingPrompt) {
        pendingPrompt = (askForToken ? askForToken(why) : Promise.reject(new Error(why)))
            .then((value) => setToken(value))
            .finally(() => {
                pendingPrompt = null;
            });
    }
    return pendingPrompt;
}

/** A refusal of the API, with its problem document. */
export class ApiError extends Error {
    constructor(status, problem) {
        super((problem && problem.detail) || ('HTTP ' + status));
        this.status = status;
        this.code = (problem && problem.code) || ('HTTP_' + status);
        this.problem = problem || {};
    }
}

/**
 * @param {string} path under the server, e.g. /api/v1/workflows.
 * @param {object} [options] method, query (an object; empty values are left out) and body (sent as JSON; a string
 *                           is sent as it is).
 * @returns {Promise<any>} the parsed answer.
 */
export async function api(path, options = {}) {
    const method = options.method || 'GET';
    let url = path;
    if (options.query) {
        const search = new URLSearchParams();
        for (const [name, value] of Object.entries(options.query)) {
            if (value !== undefined && value !== null && value !== '') {
                search.set(name, String(value));
            }
        }
        const text = search.toString();
        url += text ? '?' + text : '';
    }
    for (let attempt = 0; ; attempt++) {
        const headers = {Accept: 'application/json'};
        if (token()) {
            headers.Authorization = 'Bearer ' + token();
        }
        let body;
        if (options.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        }
        let res;
        try {
            res = await fetch(url, {method, headers, body, cache: 'no-store', credentials: 'omit'});
        } catch (err) {
            throw new ApiError(0, {code: 'NETWORK', detail: 'the server did not answer ' + method + ' ' + path +
                    ' (' + err.message + ')'});
        }
        const text = await res.text();
        let json = null;
        try {
            json = text ? JSON.parse(text) : null;
        } catch (ignore) {
            json = null;
        }
        if (res.status === 401 && attempt < 10) {
            await needToken((json && json.detail) || 'this server needs an API token');
            continue;
        }
        if (!res.ok) {
            throw new ApiError(res.status, json || {detail: text.slice(0, 300)});
        }
        return json;
    }
}
