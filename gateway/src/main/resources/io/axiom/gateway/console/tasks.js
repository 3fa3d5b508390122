/*
 * Task queues and workers, live over the taskUpdates subscription (the queues now, then again whenever they change,
 * at most every 100 ms): per step name the tasks queued for a worker, those leased to one, the workers offering it
 * and the age of the oldest queued task (counted on here between updates). Worker and lease figures come from the
 * metrics poll.
 */
import {subscribe} from './live.js';
import {compact, duration, el, replace} from './ui.js';

const SUBSCRIPTION = 'subscription { taskUpdates { queued leased ' +
    'queues { step queued leased workers oldest_queued_age_ms } } }';

export function mount(container, params, {metrics}) {
    const body = el('tbody');
    const totals = el('p.totals');
    const workers = el('dl.facts.workers');
    const error = el('p.error', {hidden: true});
    const live = el('span.live-badge', {text: 'connecting'});
    replace(container, el('h1', {}, 'Task queues ', live), error, totals,
        el('table.grid.tasks', {}, el('thead', {}, el('tr', {}, el('th', {text: 'Step'}),
            el('th', {text: 'Queued'}), el('th', {text: 'Leased'}), el('th', {text: 'Workers'}),
            el('th', {text: 'Oldest queued'}))), body),
        el('section.card', {}, el('h2', {text: 'Workers and leases'}), workers));

    let received = 0;
    let latest = null;

    function render() {
        if (!latest) {
            return;
        }
        totals.textContent = latest.queued + ' queued, ' + latest.leased + ' leased';
        const since = Date.now() - received;
        replace(body, latest.queues.map((q) => el('tr', {dataset: {step: q.step}},
            el('td', {text: q.step}), el('td.num', {text: q.queued}), el('td.num', {text: q.leased}),
            el('td.num', {text: q.workers}),
            el('td.num.age', {text: q.oldest_queued_age_ms === null ? '—' :
                duration(q.oldest_queued_age_ms + since)}))));
        if (latest.queues.length === 0) {
            body.append(el('tr', {}, el('td.muted', {colspan: 5, text: 'No task step has been scheduled yet.'})));
        }
    }

    const unsubscribe = subscribe(SUBSCRIPTION, {}, {
        next: (payload) => {
            if (payload.errors && payload.errors.length) {
                error.textContent = payload.errors[0].message;
                error.hidden = false;
                return;
            }
            latest = payload.data.taskUpdates;
            received = Date.now();
            live.textContent = 'live';
            live.className = 'live-badge on';
            render();
        },
        error: (errors) => {
            error.textContent = 'live updates refused: ' + compact(errors);
            error.hidden = false;
        },
        complete: () => {
            live.textContent = 'ended';
            live.className = 'live-badge ended';
        }
    });
    const ticker = setInterval(render, 1000);
    const stopListening = metrics.listen((reading) => {
        const t = reading.tasks || {};
        const l = reading.leases || {};
        const pairs = [['Workers connected (Aeron)', (reading.workers || {}).connected],
            ['Tasks dispatched', t.dispatched], ['Completed', t.completed], ['Failed attempts', t.failed_attempts],
            ['Retries', t.retries], ['Leases expired', l.expired], ['Attempts timed out', l.timed_out],
            ['Completions refused', t.rejected ? compact(t.rejected, 300) : undefined]];
        replace(workers, pairs.filter(([, v]) => v !== undefined).map(([k, v]) =>
            [el('dt', {text: k}), el('dd', {text: v})]));
    });

    return () => {
        unsubscribe();
        clearInterval(ticker);
        stopListening();
    };
}
