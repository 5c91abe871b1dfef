// @mattermost/client's WebSocketClient (run with node and the `ws` package) against chinwag:
// it connects, receives `posted`, is disconnected, reconnects with its connection_id and
// sequence number, and receives every event it missed without a new `hello`.
'use strict';

const assert = require('node:assert/strict');
const WS = require('ws');
const {WebSocketClient} = require('@mattermost/client');
const {main, scene} = require('./lib');

// node 20 has neither WebSocket nor CloseEvent as globals; the client refers to both.
globalThis.WebSocket = WS;
globalThis.CloseEvent = class CloseEvent {
    constructor(type, init = {}) {
        this.type = type;
        this.code = init.code;
        this.wasClean = init.wasClean;
    }
};

function waitFor(pred, what, ms = 15000) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
            const v = pred();
            if (v) {
                resolve(v);
            } else if (Date.now() - started > ms) {
                reject(new assert.AssertionError({message: `timed out waiting for ${what}`}));
            } else {
                setTimeout(tick, 20);
            }
        };
        tick();
    });
}

main(async () => {
    const {team, users} = await scene('alice', 'bob');
    const {alice, bob} = users;
    const town = await alice.getChannelByName(team.id, 'town-square');

    const events = [];
    let missedCalls = 0;
    let reconnects = 0;
    const ws = new WebSocketClient({
        newWebSocketFn: (url) => new WS(url),
        minWebSocketRetryTime: 300,
        reconnectJitterRange: 50,
    });
    ws.addMessageListener((msg) => events.push(msg));
    ws.addMissedMessageListener(() => {
        missedCalls++;
    });
    ws.addReconnectListener(() => {
        reconnects++;
    });
    const wsUrl = process.env.CHINWAG_URL.replace(/^http/, 'ws') + '/api/v4/websocket';
    ws.initialize(wsUrl, bob.getToken());

    const hello = await waitFor(() => events.find((e) => e.event === 'hello'), 'hello');
    assert.equal(hello.seq, 0);
    assert.equal(hello.broadcast.user_id, bob.me.id);
    const connectionId = hello.data.connection_id;

    const messages = (name) => events.filter((e) => e.event === 'posted' && e.broadcast.channel_id === town.id)
        .map((e) => JSON.parse(e.data.post).message)
        .filter((m) => m.startsWith(name));

    await alice.createPost({channel_id: town.id, message: 'live one'});
    await waitFor(() => messages('live').length === 1, 'the live posted event');

    // Cut the connection (as a network drop would) and post while the client is away.
    ws.conn.terminate();
    for (let i = 0; i < 20; i++) {
        await alice.createPost({channel_id: town.id, message: `missed ${i}`});
    }
    await waitFor(() => reconnects >= 1, 'the reconnect');
    await waitFor(() => messages('missed').length === 20, 'the 20 missed posts');
    assert.deepEqual(messages('missed'), Array.from({length: 20}, (_, i) => `missed ${i}`));
    assert.equal(events.filter((e) => e.event === 'hello').length, 1, 'a second hello: the client would refetch');
    assert.equal(missedCalls, 0, 'the client thought it missed events');
    assert.equal(ws.connectionId, connectionId, 'the connection id changed');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, Array.from({length: seqs.length}, (_, i) => i), 'sequence numbers with a gap');

    await alice.createPost({channel_id: town.id, message: 'live two'});
    await waitFor(() => messages('live').length === 2, 'live events after the resume');
    ws.close();
});
