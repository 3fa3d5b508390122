/*
 * A small graphql-transport-ws client for the console's subscriptions (workflowEvents, taskUpdates), as the server
 * speaks it: connection_init (with {"Authorization": "Bearer <token>"} as payload when a token is known), then
 * connection_ack, then one subscribe per subscription; next, error and complete from the server; ping answered with
 * pong. One WebSocket carries every subscription on screen; it opens with the first and closes a few seconds after
 * the last ends. A lost connection is reopened with exponential backoff (0.5 s doubling to 15 s, with jitter) and
 * every live subscription is sent again (workflowEvents then starts over from the first event: consumers drop what
 * they have by log position). A close for a wrong or missing token (4403) asks for the token first. While the tab
 * is hidden for more than a few seconds the WebSocket is closed, and reopened with every subscription when the tab
 * is shown again: nothing is followed that nobody sees.
 */
import {needToken, token} from './api.js';

const FORBIDDEN = 4403;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15000;
const IDLE_CLOSE_MS = 5000;

let socket = null;
let acknowledged = false;
let backoffMs = MIN_BACKOFF_MS;
let reconnectTimer = null;
let idleTimer = null;
let hiddenTimer = null;
let nextId = 1;
const subscriptions = new Map();
const statusListeners = new Set();

/** @param {function(string)} listener told 'connecting', 'live' or 'offline'. */
export function onStatus(listener) {
    statusListeners.add(listener);
    return () => statusListeners.delete(listener);
}

function status(value) {
    statusListeners.forEach((listener) => listener(value));
}

/**
 * @param {string} query the subscription document.
 * @param {object} variables its variables.
 * @param {{next: function(object), error: function(object), complete: function()}} sink told of each message.
 * @returns {function()} ends the subscription.
 */
export function subscribe(query, variables, sink) {
    const id = String(nextId++);
    subscriptions.set(id, {query, variables, sink});
    clearTimeout(idleTimer);
    if (!socket) {
        if (!document.hidden) {
            connect();
        }
    } else if (acknowledged) {
        send({id, type: 'subscribe', payload: {query, variables}});
    }
    return () => {
        if (subscriptions.delete(id) && acknowledged) {
            send({id, type: 'complete'});
        }
        scheduleIdleClose();
    };
}

function scheduleIdleClose() {
    if (subscriptions.size === 0) {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
            if (subscriptions.size === 0 && socket) {
                const closing = socket;
                socket = null;
                acknowledged = false;
                closing.close(1000, 'nothing to follow');
                status('idle');
            }
        }, IDLE_CLOSE_MS);
    }
}

function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(message));
    }
}

function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/graphql', 'graphql-transport-ws');
    socket = ws;
    acknowledged = false;
    status('connecting');
    ws.onopen = () => {
        const payload = token() ? {Authorization: 'Bearer ' + token()} : {};
        ws.send(JSON.stringify({type: 'connection_init', payload}));
    };
    ws.onmessage = (event) => {
        if (ws !== socket) {
            return;
        }
        let message;
        try {
            message = JSON.parse(event.data);
        } catch (ignore) {
            return;
        }
        const sub = subscriptions.get(message.id);
        switch (message.type) {
            case 'connection_ack':
                acknowledged = true;
                backoffMs = MIN_BACKOFF_MS;
                status('live');
                for (const [id, s] of subscriptions) {
                    send({id, type: 'subscribe', payload: {query: s.query, variables: s.variables}});
                }
                break;
            case 'ping':
                send({type: 'pong'});
                break;
            case 'next':
                if (sub) {
                    sub.sink.next(message.payload || {});
                }
                break;
            case 'error':
                if (sub) {
                    subscriptions.delete(message.id);
                    sub.sink.error(message.payload);
                    scheduleIdleClose();
                }
                break;
            case 'complete':
                if (sub) {
                    subscriptions.delete(message.id);
                    sub.sink.complete();
                    scheduleIdleClose();
                }
                break;
            default:
                break;
        }
    };
    ws.onclose = (event) => {
        if (ws !== socket) {
            return;
        }
        socket = null;
        acknowledged = false;
        if (subscriptions.size === 0) {
            status('idle');
            return;
        }
        status('offline');
        if (event.code === FORBIDDEN) {
            needToken('the server refused the token for live updates (' + (event.reason || 'Forbidden') + ')')
                .then(connect, () => retryLater());
            return;
        }
        retryLater();
    };
}

function retryLater() {
    if (reconnectTimer || subscriptions.size === 0) {
        return;
    }
    const delay = backoffMs * (0.75 + Math.random() * 0.5);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (!socket && subscriptions.size > 0 && !document.hidden) {
            connect();
        }
    }, delay);
}

document.addEventListener('visibilitychange', () => {
    clearTimeout(hiddenTimer);
    if (document.hidden) {
        hiddenTimer = setTimeout(() => {
            if (document.hidden && socket) {
                const closing = socket;
                socket = null;
                acknowledged = false;
                closing.close(1000, 'the tab is hidden');
                status('paused');
            }
        }, IDLE_CLOSE_MS);
    } else if (!socket && subscriptions.size > 0) {
        backoffMs = MIN_BACKOFF_MS;
        connect();
    }
});
