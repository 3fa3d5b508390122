/*
 * Small DOM helpers of the console: element building (text is always set as text, never parsed as HTML), times in
 * local and UTC form, durations and countdowns, notices, and the confirmation dialog every action goes through.
 */

/**
 * @param {string} tag element name, with optional .classes (e.g. 'span.badge.ok').
 * @param {object} [attrs] attributes; 'text' sets the text, 'on<event>' adds a listener, false/null are skipped.
 * @param {...(Node|string|null)} children appended in order.
 * @returns {HTMLElement} the element.
 */
export function el(tag, attrs, ...children) {
    const [name, ...classes] = tag.split('.');
    const node = document.createElement(name);
    if (classes.length) {
        node.className = classes.join(' ');
    }
    for (const [key, value] of Object.entries(attrs || {})) {
        if (value === false || value === null || value === undefined) {
            continue;
        }
        if (key === 'text') {
            node.textContent = String(value);
        } else if (key.startsWith('on') && typeof value === 'function') {
            node.addEventListener(key.slice(2), value);
        } else if (key === 'dataset') {
            Object.assign(node.dataset, value);
        } else {
            node.setAttribute(key, value === true ? '' : String(value));
        }
    }
    for (const child of children.flat(Infinity)) {
        if (child !== null && child !== undefined && child !== false) {
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
        }
    }
    return node;
}

/** @param {Node} node emptied and filled with the children. */
export function replace(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

export const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const STATES = ['CREATED', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'];

/** @returns {HTMLElement} a badge for a workflow state or a step status. */
export function badge(value) {
    return el('span.badge.s-' + String(value || 'none').toLowerCase(), {text: value || '—'});
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** @param {string|number|Date} value an ISO-8601 instant or epoch millis. @returns {Date|null} */
export function toDate(value) {
    if (value === null || value === undefined || value === '') {
        return null;
    }
    const date = value instanceof Date ? value : new Date(value);
    return isNaN(date.getTime()) ? null : date;
}

/** @returns {string} local time, e.g. 2026-11-30 11:20:35.284 */
export function localTime(value) {
    const d = toDate(value);
    return d ? d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) +
        ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3) : '—';
}

/** @returns {string} UTC, ISO-8601 with milliseconds. */
export function utcTime(value) {
    const d = toDate(value);
    return d ? d.toISOString() : '—';
}

/** @returns {HTMLElement} local time with the UTC instant as its title. */
export function time(value) {
    const d = toDate(value);
    return d ? el('time', {datetime: d.toISOString(), title: d.toISOString(), text: localTime(d)}) :
        el('span.muted', {text: '—'});
}

/** @param {number} ms a duration. @returns {string} e.g. 1d 02:03:04, 03:04, 850 ms */
export function duration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) {
        return '—';
    }
    const sign = ms < 0 ? '-' : '';
    let rest = Math.abs(ms);
    if (rest < 1000) {
        return sign + Math.round(rest) + ' ms';
    }
    rest = Math.floor(rest / 1000);
    const days = Math.floor(rest / 86400);
    const hours = Math.floor((rest % 86400) / 3600);
    const minutes = Math.floor((rest % 3600) / 60);
    const seconds = rest % 60;
    const clock = (days || hours ? pad(hours) + ':' : '') + pad(minutes) + ':' + pad(seconds);
    return sign + (days ? days + 'd ' : '') + clock;
}

/** @returns {string} compact JSON of a value, cut to a length. */
export function compact(value, max = 160) {
    const text = JSON.stringify(value);
    return text === undefined ? '' : text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** @returns {HTMLElement} pretty-printed JSON. */
export function jsonBlock(value) {
    return el('pre.json', {text: value === undefined ? 'null' : JSON.stringify(value, null, 2)});
}

/**
 * Show a short notice.
 *
 * @param {string} text what happened.
 * @param {string} [kind] 'error' or 'ok'.
 */
export function toast(text, kind = 'ok') {
    const box = document.getElementById('toasts');
    const item = el('div.toast.' + kind, {role: kind === 'error' ? 'alert' : 'status', text});
    box.append(item);
    setTimeout(() => item.remove(), kind === 'error' ? 10000 : 4000);
}

/** @returns {string} an error as the user should read it: the problem's detail and code. */
export function problemText(err) {
    if (err && err.code && err.message) {
        return err.message + ' (' + err.code + ')';
    }
    return String((err && err.message) || err);
}

/**
 * Ask for confirmation in a modal dialog. The action runs while the dialog stays open: a refusal is shown in it (the
 * problem's detail) and the user may correct the input or go back; nothing happens without Confirm.
 *
 * @param {{title: string, body: Node[], confirm: string, danger: boolean, action: function(): Promise<any>}} spec
 * @returns {Promise<any>} the action's result, or null when the user went back.
 */
export function confirmAction(spec) {
    const dialog = document.getElementById('confirm-dialog');
    const form = dialog.querySelector('form');
    const error = dialog.querySelector('.dialog-error');
    const button = dialog.querySelector('.dialog-confirm');
    dialog.querySelector('.dialog-title').textContent = spec.title;
    replace(dialog.querySelector('.dialog-body'), spec.body);
    button.textContent = spec.confirm;
    button.className = 'dialog-confirm ' + (spec.danger ? 'danger' : 'primary');
    button.disabled = false;
    error.hidden = true;
    return new Promise((resolve) => {
        const onSubmit = async (event) => {
            if (event.submitter && event.submitter.value === 'cancel') {
                return;
            }
            event.preventDefault();
            button.disabled = true;
            error.hidden = true;
            try {
                const result = await spec.action();
                done();
                dialog.close('confirm');
                resolve(result);
            } catch (err) {
                error.textContent = problemText(err);
                error.hidden = false;
                button.disabled = false;
            }
        };
        const onClose = () => {
            done();
            resolve(null);
        };
        const done = () => {
            form.removeEventListener('submit', onSubmit);
            dialog.removeEventListener('close', onClose);
        };
        form.addEventListener('submit', onSubmit);
        dialog.addEventListener('close', onClose);
        dialog.showModal();
        const first = dialog.querySelector('.dialog-body input, .dialog-body textarea');
        (first || button).focus();
    });
}
