/*
 * Workflows: a searchable, paged, sorted table of GET /api/v1/workflows. The filters (state, name exact or prefix,
 * step, created range, sort and order, page size) live in the URL's hash, and only those the user set are sent:
 * state, limit, offset, name, name_prefix, step, created_after, created_before (ISO-8601 instants), sort
 * (id|created_at), order (asc|desc). The page is read again when the metrics poll shows that workflows changed
 * (created, or counts per state), at most every five seconds.
 */
import {api} from './api.js';
import {badge, el, problemText, replace, STATES, time} from './ui.js';

const FILTERS = ['state', 'name', 'name_prefix', 'step', 'created_after', 'created_before', 'sort', 'order',
    'limit', 'offset'];
const REFRESH_MS = 5000;

/** @param {string} iso an instant. @returns {string} its value for a datetime-local input (local time). */
function toLocalInput(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) {
        return '';
    }
    const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 19);
}

/** @param {string} value of a datetime-local input. @returns {string} the instant, ISO-8601 UTC, or ''. */
function fromLocalInput(value) {
    if (!value) {
        return '';
    }
    const d = new Date(value);
    return isNaN(d.getTime()) ? '' : d.toISOString();
}

export function mount(container, params, {metrics, navigate}) {
    const query = {};
    for (const name of FILTERS) {
        if (params.get(name)) {
            query[name] = params.get(name);
        }
    }

    const nameMode = query.name_prefix ? 'prefix' : 'exact';
    const form = el('form.filters', {autocomplete: 'off'},
        el('label', {}, 'State ', el('select', {name: 'state'},
            el('option', {value: '', text: 'any'}),
            STATES.map((s) => el('option', {value: s, text: s, selected: query.state === s})))),
        el('label', {}, 'Name ', el('input', {name: 'name', type: 'search', placeholder: 'workflow name',
            value: query.name || query.name_prefix || ''})),
        el('select', {name: 'name_mode', title: 'exact name or prefix'},
            el('option', {value: 'exact', text: 'exact', selected: nameMode === 'exact'}),
            el('option', {value: 'prefix', text: 'prefix', selected: nameMode === 'prefix'})),
        el('label', {}, 'Step ', el('input', {name: 'step', type: 'search', placeholder: 'step name',
            value: query.step || ''})),
        el('label', {}, 'Created after ', el('input', {name: 'created_after', type: 'datetime-local', step: '1',
            value: query.created_after ? toLocalInput(query.created_after) : ''})),
        el('label', {}, 'before ', el('input', {name: 'created_before', type: 'datetime-local', step: '1',
            value: query.created_before ? toLocalInput(query.created_before) : ''})),
        el('label', {}, 'Sort ', el('select', {name: 'sort'},
            el('option', {value: '', text: 'default (id)'}),
            el('option', {value: 'id', text: 'id', selected: query.sort === 'id'}),
            el('option', {value: 'created_at', text: 'created', selected: query.sort === 'created_at'}))),
        el('select', {name: 'order', title: 'order'},
            el('option', {value: '', text: 'default'}),
            el('option', {value: 'asc', text: 'ascending', selected: query.order === 'asc'}),
            el('option', {value: 'desc', text: 'descending', selected: query.order === 'desc'})),
        el('label', {}, 'Per page ', el('select', {name: 'limit'},
            ['', '10', '25', '100', '500'].map((n) => el('option', {value: n, text: n || '50',
                selected: (query.limit || '') === n})))),
        el('button.primary', {type: 'submit', text: 'Search'}),
        el('button.secondary', {type: 'button', text: 'Reset', onclick: () => navigate('#/workflows')}));

    form.addEventListener('submit', (event) => {
        event.preventDefault();
        const f = form.elements;
        const next = new URLSearchParams();
        const set = (name, value) => value && next.set(name, value);
        set('state', f.state.value);
        set(f.name_mode.value === 'prefix' ? 'name_prefix' : 'name', f.name.value.trim());
        set('step', f.step.value.trim());
        set('created_after', fromLocalInput(f.created_after.value));
        set('created_before', fromLocalInput(f.created_before.value));
        set('sort', f.sort.value);
        set('order', f.order.value);
        set('limit', f.limit.value);
        const text = next.toString();
        navigate('#/workflows' + (text ? '?' + text : ''));
    });

    const status = el('p.status.muted', {text: 'Loading…'});
    const error = el('p.error', {hidden: true});
    const body = el('tbody');
    const sortHeader = (label, key) => {
        const active = (query.sort || 'id') === key;
        const order = active && (query.order || 'asc') === 'asc' ? 'desc' : 'asc';
        const next = new URLSearchParams(query);
        next.set('sort', key);
        next.set('order', order);
        next.delete('offset');
        return el('th', {}, el('a.sort', {href: '#/workflows?' + next.toString(), title: 'sort by ' + label},
            label + (active ? ((query.order || 'asc') === 'asc' ? ' ▲' : ' ▼') : '')));
    };
    const table = el('table.grid.workflows', {},
        el('thead', {}, el('tr', {}, sortHeader('ID', 'id'), el('th', {text: 'Name'}), el('th', {text: 'State'}),
            el('th', {text: 'Current step'}), el('th', {text: 'Events'}), sortHeader('Created', 'created_at'),
            el('th', {text: 'Updated'}))),
        body);
    const pager = el('div.pager');
    replace(container, el('h1', {text: 'Workflows'}), form, error, status, table, pager);

    let disposed = false;
    let loading = false;
    let lastLoad = 0;
    let lastSignature = null;
    let pending = null;

    async function load() {
        if (loading || disposed) {
            return;
        }
        loading = true;
        lastLoad = Date.now();
        try {
            const page = await api('/api/v1/workflows', {query});
            if (disposed) {
                return;
            }
            error.hidden = true;
            render(page);
        } catch (err) {
            if (!disposed) {
                error.textContent = problemText(err);
                error.hidden = false;
                status.textContent = '';
            }
        } finally {
            loading = false;
        }
    }

    function render(page) {
        const rows = page.workflows || [];
        replace(body, rows.map((w) => el('tr', {dataset: {id: w.id, state: w.state}},
            el('td', {}, el('a', {href: '#/workflows/' + encodeURIComponent(w.id), text: w.id})),
            el('td', {}, el('a', {href: '#/workflows/' + encodeURIComponent(w.id), text: w.name})),
            el('td', {}, badge(w.state)),
            el('td', {text: w.current_step === null ? '—' : '#' + w.current_step_index + ' ' + w.current_step}),
            el('td.num', {text: w.event_count}),
            el('td', {}, time(w.created_at)),
            el('td', {}, time(w.updated_at)))));
        if (rows.length === 0) {
            body.append(el('tr', {}, el('td.muted', {colspan: 7, text: 'No workflows match.'})));
        }
        const offset = page.offset || 0;
        // a total the search's work budget cut short is a lower bound: "N+"
        const total = page.total + (page.total_exact === false ? '+' : '');
        status.textContent = rows.length ? (offset + 1) + '–' + (offset + rows.length) + ' of ' + total :
            '0 of ' + total;
        const limit = page.limit || rows.length || 50;
        const go = (o) => {
            const next = new URLSearchParams(query);
            if (o > 0) {
                next.set('offset', String(o));
            } else {
                next.delete('offset');
            }
            navigate('#/workflows?' + next.toString());
        };
        replace(pager,
            el('button.secondary.prev', {type: 'button', text: '‹ Previous', disabled: offset <= 0,
                onclick: () => go(Math.max(0, offset - limit))}),
            el('span.muted', {text: status.textContent}),
            el('button.secondary.next', {type: 'button', text: 'Next ›', disabled: page.next_offset === null ||
                    page.next_offset === undefined, onclick: () => go(page.next_offset)}));
    }

    const stopListening = metrics.listen((reading) => {
        const w = reading.workflows || {};
        const signature = JSON.stringify([w.created, w.by_state]);
        if (lastSignature !== null && signature !== lastSignature && !pending) {
            pending = setTimeout(() => {
                pending = null;
                load();
            }, Math.max(0, REFRESH_MS - (Date.now() - lastLoad)));
        }
        lastSignature = signature;
    });
    load();

    return () => {
        disposed = true;
        clearTimeout(pending);
        stopListening();
    };
}
