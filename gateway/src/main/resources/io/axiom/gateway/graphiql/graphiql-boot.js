/*
 * Starts GraphiQL against this server: queries and mutations by POST /graphql, subscriptions over a WebSocket on the
 * same path (graphql-transport-ws, through the graphql-ws client bundled in graphiql.min.js). Whatever the headers
 * editor holds is sent with each HTTP request and as the WebSocket's connection_init payload, so
 * {"Authorization": "Bearer <token>"} there is all a server with an API token needs.
 * The query, variables and operation name live in the URL (?query=...), so a link reproduces a query (the web console
 * links here that way); headers never do, so a token never ends up in a URL. Without a query in the URL the editor
 * opens on an Axiom example instead of GraphiQL's stock welcome text.
 */
(function () {
    'use strict';

    var params = new URLSearchParams(window.location.search);
    var EXAMPLE = [
        '# Axiom: the engine\'s figures and the newest workflows with their steps. Run it with Ctrl-Enter;',
        '# the Docs pane lists every query, mutation and subscription (workflowEvents, taskUpdates).',
        '# With an API token set, put {"Authorization": "Bearer <token>"} in the Headers tab below.',
        '{',
        '  metrics { workflows workflows_by_state { state count } events_appended fsyncs commands }',
        '  tasks { queued leased queues { step queued leased workers oldest_queued_age_ms } }',
        '  workflows(limit: 5) {',
        '    total',
        '    items { id name state current_step wake_at step_details { index name type status attempts } }',
        '  }',
        '}',
        ''
    ].join('\n');
    var wsScheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';

    var graphiQlFetcher = GraphiQL.createFetcher({
        url: window.location.origin + '/graphql',
        subscriptionUrl: wsScheme + window.location.host + '/graphql'
    });

    // GraphiQL's fetcher tells a subscription (WebSocket) from a query (POST) by the parsed document it is handed;
    // GraphiQL parses the editor's text after a short debounce, so a quick run could go out without one and a
    // subscription would be POSTed. Parse it here when it is missing.
    function fetcher(graphQLParams, fetcherOpts) {
        if (!fetcherOpts || !fetcherOpts.documentAST) {
            try {
                var documentAST = GraphiQL.GraphQL.parse(graphQLParams.query);
                fetcherOpts = Object.assign({}, fetcherOpts, {documentAST: documentAST});
            } catch (ignore) {
                // not a valid document: the server names the syntax error
            }
        }
        return graphiQlFetcher(graphQLParams, fetcherOpts);
    }

    function remember(name) {
        return function (value) {
            if (value) {
                params.set(name, value);
            } else {
                params.delete(name);
            }
            var search = params.toString();
            window.history.replaceState(null, '', window.location.pathname + (search ? '?' + search : ''));
        };
    }

    var root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, {
        fetcher: fetcher,
        query: params.get('query') || EXAMPLE,
        defaultQuery: EXAMPLE,
        variables: params.get('variables') || undefined,
        operationName: params.get('operationName') || undefined,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        onEditQuery: remember('query'),
        onEditVariables: remember('variables'),
        onEditOperationName: remember('operationName')
    }));
}());
