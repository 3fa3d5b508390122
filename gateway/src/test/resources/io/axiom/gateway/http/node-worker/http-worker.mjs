// An Axiom worker in another language: plain Node (20+, global fetch, no npm package) driving a workflow through
// the HTTP worker API. It creates a workflow of three task steps, then fetches (long polling), heartbeats and
// completes each step with its fencing token, repeats one completion to see ALREADY_COMMITTED, and checks that the
// workflow ends COMPLETED with its outputs. Prints one JSON line per thing it did; exits 0 when all held, 1 with the
// reason on stderr when not.
//
// usage: node http-worker.mjs http://127.0.0.1:PORT

const base = process.argv[2];
if (!base) {
    console.error('usage: node http-worker.mjs BASE_URL');
    process.exit(2);
}
const STEPS = ['NODE_RESERVE', 'NODE_CHARGE', 'NODE_SHIP'];

function print(record) {
    console.log(JSON.stringify(record));
}

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

async function call(method, path, body) {
    const response = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : {'Content-Type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text}`);
    }
    return {status: response.status, type: response.headers.get('content-type'), json};
}

async function main() {
    const created = await call('POST', '/api/v1/workflows',
        {name: 'node-order', steps: STEPS, input: {order_id: 'N-1', amount_cents: 4200}});
    check(created.status === 201, `create answered ${created.status}: ${JSON.stringify(created.json)}`);
    const id = created.json.id;
    print({event: 'created', workflow_id: id});

    const done = [];
    for (let round = 0; done.length < STEPS.length; round++) {
        check(round < 20, `the workflow was not through after 20 fetches; done: ${done}`);
        const fetched = await call('POST', '/api/v1/tasks/fetch',
            {steps: STEPS, max_tasks: 5, wait_ms: 5000, worker_id: 'node-worker-1'});
        check(fetched.status === 200, `fetch answered ${fetched.status}: ${JSON.stringify(fetched.json)}`);
        for (const task of fetched.json.tasks) {
            check(task.workflow_id === id && task.task_id === id, `a task of another workflow: ${JSON.stringify(task)}`);
            check(task.step === STEPS[done.length], `expected ${STEPS[done.length]}, got ${task.step}`);
            check(task.input.order_id === 'N-1', `the input travels with the task: ${JSON.stringify(task.input)}`);
            check(Date.parse(task.lease_expires_at) > 0, `lease_expires_at is a time: ${task.lease_expires_at}`);
            print({event: 'fetched', step: task.step, attempt: task.attempt, fencing_token: task.fencing_token,
                idempotency_key: task.idempotency_key});

            const beat = await call('POST', `/api/v1/tasks/${task.task_id}/heartbeat`,
                {fencing_token: task.fencing_token});
            check(beat.status === 202 && beat.json.status === 'RECEIVED', `heartbeat: ${JSON.stringify(beat)}`);

            const output = {step: task.step, by: 'node', key: task.idempotency_key};
            const completed = await call('POST', `/api/v1/tasks/${task.task_id}/complete`,
                {fencing_token: task.fencing_token, output});
            check(completed.status === 200 && completed.json.status === 'ACCEPTED',
                `complete: ${JSON.stringify(completed)}`);
            check(completed.json.fencing_token === task.fencing_token, 'the answer names the token');
            print({event: 'completed', step: task.step, fencing_token: task.fencing_token});

            if (done.length === 0) {
                // a retry of the same completion (say its answer was lost) commits nothing twice
                const again = await call('POST', `/api/v1/tasks/${task.task_id}/complete`,
                    {fencing_token: task.fencing_token, output: {step: task.step, by: 'node', retry: true}});
                check(again.status === 409 && again.type.startsWith('application/problem+json') &&
                    again.json.code === 'ALREADY_COMMITTED', `repeat: ${JSON.stringify(again)}`);
                check(JSON.stringify(again.json.committed_output) === JSON.stringify(output),
                    `the repeat gets the committed output: ${JSON.stringify(again.json)}`);
                print({event: 'repeat_refused', code: again.json.code});
            }
            done.push(task.step);
        }
    }

    const workflow = await call('GET', `/api/v1/workflows/${id}`);
    check(workflow.status === 200, `get: ${JSON.stringify(workflow)}`);
    check(workflow.json.state === 'COMPLETED', `the workflow is ${workflow.json.state}`);
    for (let i = 0; i < STEPS.length; i++) {
        check(workflow.json.steps[i].output.by === 'node', `step ${i} output: ${JSON.stringify(workflow.json.steps[i])}`);
    }
    print({event: 'workflow', workflow_id: id, state: workflow.json.state});
}

main().then(() => process.exit(0), (error) => {
    console.error('http-worker: ' + error.message);
    process.exit(1);
});
