// An independent graphql-transport-ws client (the graphql-ws library on Node) for GraphQlNodeClientTest:
// subscribes to one workflow's events and prints each as one JSON line, then COMPLETE when the server completes.
// Usage: node follow-workflow.mjs <ws-url> <workflow-id> [token]
// Exit codes: 0 completed, 2 the server sent an error, 3 no completion within the time limit.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, workflowId, token] = process.argv.slice(2);
const limitMs = 60000;

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: true,
  retryAttempts: 0,
  connectionParams: token ? { Authorization: `Bearer ${token}` } : undefined,
});

const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: `no completion within ${limitMs} ms` }));
  process.exit(3);
}, limitMs);

const query = `subscription Follow($id: ID!) {
  workflowEvents(workflow_id: $id) { workflow_id type position sequence timestamp step step_index data }
}`;

client.subscribe({ query, variables: { id: workflowId } }, {
  next: (result) => {
    if (result.errors) {
      console.log(JSON.stringify({ errors: result.errors }));
    } else {
      console.log(JSON.stringify(result.data.workflowEvents));
    }
  },
  error: (err) => {
    console.log(JSON.stringify({ error: err instanceof Error ? err.message : err }));
    clearTimeout(timer);
    process.exitCode = 2;
    client.dispose();
  },
  complete: () => {
    console.log('COMPLETE');
    clearTimeout(timer);
    client.dispose();
  },
});
