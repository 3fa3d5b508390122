/*
 * One workflow: its steps as a timeline built from its events (scheduled, leased, attempts, failures, timers and
 * backoffs, completion), the pending timer's wake_at in local and UTC time with a live countdown, its input and
 * outputs, its events from the log with their positions (GET .../events, paged by next_after; #/workflows/<id>?
 * events_page=N sets the page size, 200 by default), its replay check, and
 * the operator's actions: approve (POST .../advance with expected_step_index, so it can never advance another step)
 * and cancel with a reason, each behind a confirmation. While the workflow runs it is followed live over the
 * workflowEvents subscription: each new event joins the list (by log position, so a replay after a reconnect adds
 * nothing twice) and the workflow is read again.
 */
import {api} from './api.js';
import {subscribe} from './live.js';
import {badge, compact, confirmAction, duration, el, jsonBlock, localTime, problemText, replace, TERMINAL, time, toast, toDate,
    utcTime} from './ui.js';

const EVENTS_PAGE = 200;
const EVENT_ROWS_SHOWN = 2000;
const SUBSCRIPTION = 'subscription ($id: ID!) { workflowEvents(workflow_id: $id) ' +
    '{ position sequence type timestamp step step_index data } }';

const graphiqlQuery = (id) => '# This workflow, its steps and its latest events (Ctrl-Enter runs it)\n' +
    '{\n  workflow(id: "' + id + '") {\n    id name state current_step wake_at\n' +
    '    step_details { index name type status attempts completed_at output }\n' +
    '    eventPage(limit: 20) { total next_after events { position type timestamp step data } }\n  }\n}\n';

/** An event of REST ({..., fields}) or of the subscription ({..., data: {fields}}) as one flat object. */
function flatten(event) {
    if (event && event.data && typeof event.data === 'object') {
        const {data, ...rest} = event;
        return {...data, ...rest};
    }
    return event;
}

const OWN_FIELDS = new Set(['position', 'sequence', 'type', 'timestamp', 'step', 'step_index', 'workflow_id']);

function details(event) {
    const rest = {};
    for (const [key, value] of Object.entries(event)) {
        if (!OWN_FIELDS.has(key)) {
            rest[key] = value;
        }
    }
    return compact(rest, 200);
}

/** One line of a step's timeline for an event about it. */
function timelineEntry(event) {
    const at = time(event.timestamp);
    const line = (kind, ...text) => el('li.tl.tl-' + kind, {dataset: {type: event.type, position: event.position}},
        at, ' ', el('b', {text: event.type}), ' ', ...text);
    switch (event.type) {
        case 'StepScheduled':
            return line('sched', 'attempt ' + event.attempt);
        case 'StepLeased':
            return line('lease', 'attempt ' + event.attempt + ', worker ' + event.worker_id + ', token ' +
                event.fencing_token + ', lease until ', time(event.lease_expires_at), ', attempt deadline ',
                time(event.attempt_deadline));
        case 'LeaseExtended':
            return line('lease', 'lease until ', time(event.lease_expires_at));
        case 'StepAttemptFailed':
            return line('fail', 'attempt ' + event.attempt + ' ' + (event.kind || '') +
                (event.retryable === false ? ' (not retryable)' : '') + (event.error ? ': ' + event.error : ''));
        case 'TimerScheduled':
            return line(event.purpose === 'RETRY_BACKOFF' ? 'backoff' : 'timer',
                (event.purpose || 'timer') + ' until ', timeBoth(event.deadline),
                ' (' + duration(toDate(event.deadline) - toDate(event.timestamp)) + ')');
        case 'TimerFired':
            return line('timer', event.purpose || '');
        case 'WorkflowWaiting':
            return line('wait', 'waiting: ' + (event.reason || ''));
        case 'WorkflowResumed':
            return line('wait', 'resumed');
        case 'StepCompleted':
            return line('done', 'attempt ' + event.attempt + ' by ' + (event.completed_by || '?') +
                (event.fencing_token ? ', token ' + event.fencing_token : ''));
        default:
            return line('other', details(event));
    }
}

function timeBoth(value) {
    return el('span.when', {}, el('span.local', {text: localTime(value)}), ' (UTC ',
        el('span.utc', {text: utcTime(value)}), ')');
}

export function mount(container, params) {
    const id = params.get('id');
    const pageSize = Math.min(1000, Math.max(1, Number(params.get('events_page')) || EVENTS_PAGE));
    const events = new Map();
    let workflow = null;
    let nextAfter;
    let restComplete = false;
    let disposed = false;
    let unsubscribe = null;
    let following = false;
    let refreshTimer = null;
    let renderQueued = false;

    const head = el('div.wf-head');
    const actions = el('div.actions');
    const timer = el('div.timer', {hidden: true});
    const steps = el('ol.timeline');
    const io = el('div.io');
    const eventsBody = el('tbody');
    const eventsMore = el('div.pager');
    const liveBadge = el('span.live-badge', {text: ''});
    const replayBox = el('div.replay');
    const error = el('p.error', {hidden: true});

    replace(container,
        el('p.crumbs', {}, el('a', {href: '#/workflows', text: '‹ Workflows'})),
        error, head, actions, timer,
        el('section.card', {}, el('h2', {}, 'Timeline ', liveBadge), steps),
        el('section.card', {}, el('h2', {text: 'Input and outputs'}), io),
        el('section.card', {}, el('h2', {text: 'Events from the log'}),
            el('table.grid.events', {}, el('thead', {}, el('tr', {}, el('th', {text: 'Position'}),
                el('th', {text: 'Seq'}), el('th', {text: 'Time'}), el('th', {text: 'Event'}),
                el('th', {text: 'Step'}), el('th', {text: 'Fields'}))), eventsBody), eventsMore),
        el('section.card', {}, el('h2', {text: 'Replay check'}), replayBox));

    function showError(err) {
        error.textContent = problemText(err);
        error.hidden = false;
    }

    async function loadWorkflow() {
        try {
            const answer = await api('/api/v1/workflows/' + encodeURIComponent(id));
            if (disposed) {
                return;
            }
            workflow = answer;
            error.hidden = true;
            queueRender();
            if (TERMINAL.includes(workflow.state)) {
                stopFollowing('ended');
            } else if (!following) {
                follow();
            }
        } catch (err) {
            if (!disposed) {
                showError(err);
            }
        }
    }

    async function loadEvents() {
        try {
            const page = await api('/api/v1/workflows/' + encodeURIComponent(id) + '/events',
                {query: {after: nextAfter, limit: pageSize}});
            if (disposed) {
                return;
            }
            page.events.forEach((e) => events.set(e.position, flatten(e)));
            nextAfter = page.next_after === null ? undefined : page.next_after;
            restComplete = page.next_after === null;
            queueRender();
        } catch (err) {
            if (!disposed) {
                showError(err);
            }
        }
    }

    function follow() {
        following = true;
        liveBadge.textContent = 'live';
        liveBadge.className = 'live-badge on';
        unsubscribe = subscribe(SUBSCRIPTION, {id}, {
            next: (payload) => {
                if (payload.errors && payload.errors.length) {
                    showError(new Error(payload.errors[0].message));
                    return;
                }
                const event = payload.data && payload.data.workflowEvents;
                if (!event || events.has(event.position)) {
                    return;
                }
                events.set(event.position, flatten(event));
                queueRender();
                scheduleRefresh();
            },
            error: (errors) => {
                showError(new Error('live updates refused: ' + compact(errors)));
                stopFollowing('off');
            },
            complete: () => {
                stopFollowing('ended');
                scheduleRefresh();
            }
        });
    }

    function stopFollowing(label) {
        following = label === 'ended';
        liveBadge.textContent = label === 'ended' ? 'ended' : '';
        liveBadge.className = 'live-badge ' + label;
        if (unsubscribe) {
            unsubscribe();
            unsubscribe = null;
        }
    }

    function scheduleRefresh() {
        if (!refreshTimer) {
            refreshTimer = setTimeout(() => {
                refreshTimer = null;
                loadWorkflow();
            }, 100);
        }
    }

    function queueRender() {
        if (!renderQueued) {
            renderQueued = true;
            requestAnimationFrame(() => {
                renderQueued = false;
                if (!disposed) {
                    render();
                }
            });
        }
    }

    function render() {
        const sorted = [...events.values()].sort((a, b) => a.position - b.position);
        if (workflow) {
            renderHead();
            renderTimeline(sorted);
            renderIo();
        }
        renderEvents(sorted);
        tick();
    }

    function renderHead() {
        const w = workflow;
        replace(head,
            el('h1', {}, w.name, ' ', el('span.muted', {text: '#' + w.id}), ' ', badge(w.state)),
            el('dl.facts', {},
                el('dt', {text: 'Current step'}), el('dd.current-step', {text: w.current_step === null ? '—' :
                    '#' + w.current_step_index + ' ' + w.current_step}),
                el('dt', {text: 'Created'}), el('dd', {}, time(w.created_at), ' ', el('span.muted',
                    {text: 'UTC ' + utcTime(w.created_at)})),
                el('dt', {text: 'Updated'}), el('dd', {}, time(w.updated_at)),
                el('dt', {text: 'Events'}), el('dd', {text: w.event_count}),
                w.idempotency_key ? [el('dt', {text: 'Idempotency key'}), el('dd', {text: w.idempotency_key})] : null,
                w.reason ? [el('dt', {text: 'Reason'}), el('dd.reason', {text: w.reason})] : null));
        const current = w.current_step_index === null ? null : w.steps[w.current_step_index];
        const canApprove = !TERMINAL.includes(w.state) && current && current.type === 'approval' &&
            w.state === 'WAITING';
        replace(actions,
            canApprove ? el('button.primary.approve', {type: 'button', text: 'Approve ' + current.name + '…',
                onclick: () => approve(current)}) : null,
            TERMINAL.includes(w.state) ? null : el('button.danger.cancel', {type: 'button', text: 'Cancel workflow…',
                onclick: cancel}),
            el('a.button.secondary', {href: '/graphiql?query=' + encodeURIComponent(graphiqlQuery(w.id)),
                target: '_blank', rel: 'noopener', text: 'Open in GraphiQL'}));
        if (w.wake_at && !TERMINAL.includes(w.state)) {
            timer.hidden = false;
            replace(timer, el('b', {text: 'Timer: '}), 'wakes at ', timeBoth(w.wake_at), ', in ',
                el('span.countdown', {dataset: {wakeAt: w.wake_at}, text: ''}));
        } else {
            timer.hidden = true;
            replace(timer);
        }
    }

    function renderTimeline(sorted) {
        const byStep = new Map();
        const general = [];
        for (const e of sorted) {
            if (e.step_index === undefined || e.step_index === null) {
                general.push(e);
            } else {
                if (!byStep.has(e.step_index)) {
                    byStep.set(e.step_index, []);
                }
                byStep.get(e.step_index).push(e);
            }
        }
        const created = general.filter((e) => e.type === 'WorkflowCreated');
        const ends = general.filter((e) => e.type !== 'WorkflowCreated');
        replace(steps,
            created.map((e) => el('li.step.meta', {}, time(e.timestamp), ' ', el('b', {text: 'WorkflowCreated'}))),
            workflow.steps.map((s) => {
                const own = (byStep.get(s.index) || []).filter((e) => !e.type.startsWith('Workflow'));
                const waits = (byStep.get(s.index) || []).filter((e) => e.type.startsWith('Workflow'));
                return el('li.step.st-' + s.status.toLowerCase(), {dataset: {index: s.index, status: s.status}},
                    el('div.step-head', {},
                        el('span.idx', {text: '#' + s.index}), ' ', el('b.step-name', {text: s.name}), ' ',
                        el('span.type', {text: s.type + (s.type === 'timer' && s.duration_ms !== undefined ?
                            ' ' + duration(s.duration_ms) : '')}), ' ', badge(s.status),
                        ' ', el('span.muted', {text: 'attempts ' + s.attempts}),
                        s.completed_at ? [' ', el('span.muted', {text: 'completed '}), time(s.completed_at)] : null,
                        s.retry ? el('span.muted.retry', {text: ' retry: ' + s.retry.max_attempts + ' attempts, ' +
                            'backoff ' + duration(s.retry.backoff_ms) + ' ×' + s.retry.multiplier + ' up to ' +
                            duration(s.retry.max_backoff_ms)}) : null),
                    own.length || waits.length ? el('ul.entries', {}, [...own, ...waits]
                        .sort((a, b) => a.position - b.position).map(timelineEntry)) : null,
                    s.output !== null && s.output !== undefined ? el('details.output', {},
                        el('summary', {text: 'output'}), jsonBlock(s.output)) : null);
            }),
            ends.map((e) => el('li.step.meta', {}, time(e.timestamp), ' ', el('b', {text: e.type}),
                e.reason ? ' ' + e.reason : '', e.error ? ' ' + e.error : '')));
    }

    function renderIo() {
        const w = workflow;
        replace(io, el('h3', {text: 'Input'}), jsonBlock(w.input),
            w.outputs_omitted ? el('p.muted', {text: 'Step outputs were left out of this answer (too large); ' +
                'they are in the StepCompleted events below.'}) : null,
            w.steps.filter((s) => s.output !== null && s.output !== undefined).map((s) =>
                [el('h3', {text: 'Output of #' + s.index + ' ' + s.name}), jsonBlock(s.output)]));
    }

    function renderEvents(sorted) {
        const shown = sorted.slice(0, EVENT_ROWS_SHOWN);
        replace(eventsBody, shown.map((e) => el('tr', {dataset: {position: e.position, type: e.type}},
            el('td.num', {text: e.position}), el('td.num', {text: e.sequence}), el('td', {}, time(e.timestamp)),
            el('td', {text: e.type}),
            el('td', {text: e.step_index === undefined || e.step_index === null ? '' : '#' + e.step_index + ' ' +
                    (e.step || '')}),
            el('td.fields', {text: details(e)}))));
        replace(eventsMore,
            el('span.muted', {text: sorted.length + ' events' + (workflow ? ' of ' +
                Math.max(workflow.event_count, sorted.length) : '') + (sorted.length > shown.length ? ' (first ' +
                shown.length + ' shown)' : '')}),
            restComplete ? null : el('button.secondary.more', {type: 'button', text: 'Load more',
                onclick: loadEvents}));
    }

    function tick() {
        const countdown = timer.querySelector('.countdown');
        if (countdown) {
            const left = toDate(countdown.dataset.wakeAt) - Date.now();
            countdown.textContent = left > 0 ? duration(left) : 'due now';
        }
    }

    async function approve(step) {
        const output = el('textarea', {name: 'output', rows: 4, placeholder: '{"approved_by": "alice"}'});
        const result = await confirmAction({
            title: 'Approve step #' + step.index + ' ' + step.name + '?',
            body: [el('p', {text: 'This completes step #' + step.index + ' ' + step.name + ' of workflow ' +
                workflow.id + ' (' + workflow.name + ') as an operator. It is refused if another step is ' +
                'current by then.'}), el('label', {}, 'Output (JSON, optional)', output)],
            confirm: 'Approve',
            danger: false,
            action: () => {
                const text = output.value.trim();
                if (text) {
                    try {
                        JSON.parse(text);
                    } catch (err) {
                        throw new Error('the output is not JSON: ' + err.message);
                    }
                }
                return api('/api/v1/workflows/' + encodeURIComponent(workflow.id) + '/advance', {
                    method: 'POST',
                    body: '{"expected_step_index":' + step.index + (text ? ',"output":' + text : '') + '}'
                });
            }
        });
        if (result) {
            toast('approved step #' + step.index + ' ' + step.name);
            workflow = result;
            queueRender();
            scheduleRefresh();
        }
    }

    async function cancel() {
        const reason = el('input', {name: 'reason', type: 'text', maxlength: 1000,
            placeholder: 'why it is cancelled'});
        const index = workflow.current_step_index;
        const result = await confirmAction({
            title: 'Cancel workflow ' + workflow.id + '?',
            body: [el('p', {text: 'Cancelling ' + workflow.name + ' ends it for good: no further step runs.'}),
                el('label', {}, 'Reason', reason)],
            confirm: 'Cancel workflow',
            danger: true,
            action: () => {
                if (!reason.value.trim()) {
                    throw new Error('give a reason');
                }
                const body = {reason: reason.value.trim()};
                if (index !== null && index !== undefined) {
                    body.expected_step_index = index;
                }
                return api('/api/v1/workflows/' + encodeURIComponent(workflow.id) + '/cancel',
                    {method: 'POST', body});
            }
        });
        if (result) {
            toast('cancelled workflow ' + result.id);
            workflow = result;
            queueRender();
            scheduleRefresh();
        }
    }

    const replayLink = el('a', {href: '/api/v1/workflows/' + encodeURIComponent(id) + '/replay', target: '_blank',
        rel: 'noopener', text: 'GET /api/v1/workflows/' + id + '/replay'});
    const replayResult = el('span.replay-result');
    replace(replayBox, el('button.secondary.replay-check', {type: 'button', text: 'Run the replay check',
        onclick: async () => {
            replayResult.textContent = 'replaying…';
            try {
                const answer = await api('/api/v1/workflows/' + encodeURIComponent(id) + '/replay');
                replayResult.textContent = answer.matches_live ?
                    '✓ the state rebuilt from its ' + answer.steps.length + ' events equals the live state' :
                    '✗ the state rebuilt from its events differs from the live state';
                replayResult.className = 'replay-result ' + (answer.matches_live ? 'ok' : 'bad');
            } catch (err) {
                replayResult.textContent = problemText(err);
                replayResult.className = 'replay-result bad';
            }
        }}), ' ', replayResult, el('p.muted', {}, 'Raw answer: ', replayLink));

    const ticker = setInterval(tick, 1000);
    loadWorkflow();
    loadEvents();

    return () => {
        disposed = true;
        clearInterval(ticker);
        clearTimeout(refreshTimer);
        if (unsubscribe) {
            unsubscribe();
        }
    };
}

