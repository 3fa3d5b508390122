/*
 * The console's shell: the router (#/workflows, #/workflows/<id>, #/tasks, #/charts; the hash holds view and
 * filters, never a token), the token prompt, and the one metrics poll (GET /api/v1/metrics at most once a second,
 * only while the tab is visible) that feeds the counts per state in the header, the workflows table and the charts.
 */
import {api, onTokenNeeded, setToken, token} from './api.js';
import {onStatus} from './live.js';
import {badge, el, replace, STATES, toast, problemText} from './ui.js';
import * as workflows from './workflows.js';
import * as workflow from './workflow.js';
import * as tasks from './tasks.js';
import * as charts from './charts.js';

const POLL_MS = 1000;
/** How old a reading the server may answer (max_age_ms): every console polling shares one reading per interval. */
const MAX_AGE_MS = 500;
const HISTORY = 300;

/** The metrics poll: the latest reading, a bounded history of readings, and who wants each new one. */
export const metrics = {
    latest: null,
    history: [],
    listeners: new Set(),
    failures: 0,
    /** @param {function(object)} listener called with each reading. @returns {function()} removes it. */
    listen(listener) {
        this.listeners.add(listener);
        if (this.latest) {
            listener(this.latest);
        }
        return () => this.listeners.delete(listener);
    }
};

let pollTimer = null;
let polling = false;

async function poll() {
    pollTimer = null;
    if (document.hidden || polling) {
        return;
    }
    polling = true;
    const started = Date.now();
    try {
        const reading = await api('/api/v1/metrics', {query: {max_age_ms: MAX_AGE_MS}});
        // the server's reading time: rates are per second of the engine's, and a reading shared with another
        // console (max_age_ms) that this one already has is not counted twice
        reading.__time = (Date.parse(reading.read_at) || Date.now()) / 1000;
        const last = metrics.history[metrics.history.length - 1];
        metrics.latest = reading;
        if (!last || last.__time !== reading.__time) {
            metrics.history.push(reading);
        }
        if (metrics.history.length > HISTORY) {
            metrics.history.shift();
        }
        metrics.failures = 0;
        pulse(true);
        renderCounts(reading);
        metrics.listeners.forEach((listener) => listener(reading));
    } catch (err) {
        metrics.failures++;
        pulse(false);
        if (metrics.failures === 1) {
            toast('metrics: ' + problemText(err), 'error');
        }
    } finally {
        polling = false;
        schedulePoll(Math.max(0, POLL_MS - (Date.now() - started)));
    }
}

function schedulePoll(delay) {
    if (!pollTimer && !document.hidden) {
        pollTimer = setTimeout(poll, delay);
    }
}

function pulse(ok) {
    const dot = document.getElementById('pulse');
    dot.className = 'pulse ' + (ok ? 'ok' : 'bad');
    dot.title = ok ? 'metrics, polled once a second' : 'the metrics poll failed';
}

function renderCounts(reading) {
    const byState = (reading.workflows && reading.workflows.by_state) || {};
    replace(document.getElementById('counts'), STATES.map((state) =>
        el('a.count', {href: '#/workflows?state=' + state, title: state, dataset: {state}},
            badge(state), el('b', {text: byState[state] === undefined ? '?' : byState[state]}))));
}

const VIEWS = {workflows, workflow, tasks, charts};
let disposeView = null;
let currentHash = null;

function route() {
    const hash = location.hash || '#/workflows';
    if (hash === currentHash) {
        return;
    }
    currentHash = hash;
    const [path, query] = hash.slice(1).split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean);
    let name = parts[0] || 'workflows';
    if (name === 'workflows' && parts.length > 1) {
        name = 'workflow';
        params.set('id', decodeURIComponent(parts[1]));
    }
    const view = VIEWS[name] || workflows;
    if (disposeView) {
        disposeView();
        disposeView = null;
    }
    document.querySelectorAll('nav.views a').forEach((a) =>
        a.classList.toggle('active', a.dataset.view === (name === 'workflow' ? 'workflows' : name)));
    const container = document.getElementById('view');
    replace(container);
    disposeView = view.mount(container, params, {metrics, navigate});
}

/** @param {string} hash where to go, e.g. '#/workflows?state=WAITING'. @param {boolean} replaceEntry */
export function navigate(hash, replaceEntry = false) {
    if (replaceEntry) {
        history.replaceState(null, '', hash);
        route();
    } else {
        location.hash = hash;
    }
}

function promptForToken(why) {
    const dialog = document.getElementById('token-dialog');
    const form = dialog.querySelector('form');
    const input = form.elements.token;
    const error = dialog.querySelector('.token-error');
    error.textContent = token() ? 'The server refused the token: ' + why : why;
    error.hidden = false;
    input.value = '';
    return new Promise((resolve) => {
        const onClose = () => {
            dialog.removeEventListener('close', onClose);
            const value = input.value.trim();
            if (value) {
                document.getElementById('token-button').hidden = false;
                resolve(value);
            } else {
                setTimeout(() => dialog.showModal(), 0);
                dialog.addEventListener('close', onClose);
            }
        };
        dialog.addEventListener('close', onClose);
        if (!dialog.open) {
            dialog.showModal();
        }
        input.focus();
    });
}

function start() {
    onTokenNeeded(promptForToken);
    const tokenButton = document.getElementById('token-button');
    tokenButton.hidden = !token();
    tokenButton.addEventListener('click', () => {
        setToken('');
        tokenButton.hidden = true;
        toast('token forgotten for this tab');
        location.reload();
    });
    tokenButton.textContent = 'Forget token';
    onStatus((state) => document.body.dataset.live = state);
    window.addEventListener('hashchange', route);
    document.addEventListener('visibilitychange', () => {
        if (!document.hidden) {
            schedulePoll(0);
        }
    });
    renderCounts({});
    route();
    poll();
    window.axiomConsole = {metrics, ready: true};
}

start();
