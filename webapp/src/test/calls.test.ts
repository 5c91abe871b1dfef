import {describe, expect, it} from 'vitest';

import {applyCallEvent, type Call, callMinutes, callParticipants, callsByChannel, callToResume, CAMERA_SIMULCAST, iceStep, MAX_ICE_RESTARTS,
    RESUME_WITHIN_MS, shouldRing, videoTiles} from '../lib/calls';
import {decodeAll, encode} from '../lib/msgpack';

describe('msgpack', () => {
    it('encodes what the calls WebSocket sends as msgspec/Go decoders read it', () => {
        // {"a": 1} → fixmap(1), fixstr "a", fixint 1
        expect([...encode({a: 1})]).toEqual([0x81, 0xa1, 0x61, 0x01]);
        expect([...encode(new Uint8Array([1, 2]))]).toEqual([0xc4, 2, 1, 2]);
        expect([...encode(null)]).toEqual([0xc0]);
        expect([...encode([true, false])]).toEqual([0x92, 0xc3, 0xc2]);
        expect([...encode(-1)]).toEqual([0xff]);
        expect([...encode(300)]).toEqual([0xcd, 0x01, 0x2c]);
        const long = 'x'.repeat(40);
        expect([...encode(long).slice(0, 2)]).toEqual([0xd9, 40]);
    });

    it('round-trips the signalling message and the data channel messages', () => {
        const sdp = new Uint8Array(300).map((_, i) => i & 0xff);
        const msg = {action: 'custom_com.mattermost.calls_sdp', seq: 70000, data: {data: sdp}};
        expect(decodeAll(encode(msg))).toEqual([msg]);
        // the lock answer: type 7 then a bool; the media map: type 9 then a map of maps
        expect(decodeAll(new Uint8Array([7, 0xc3]))).toEqual([7, true]);
        const map = {'1': {type: 'voice', sender_id: 'abc'}};
        expect(decodeAll(new Uint8Array([9, ...encode(map)]))).toEqual([9, map]);
        expect(decodeAll(encode([1.5, -200, 2 ** 40, 'ü']))).toEqual([[1.5, -200, 2 ** 40, 'ü']]);
    });

    it('refuses a truncated value', () => {
        expect(() => decodeAll(new Uint8Array([0xa5, 0x61]))).toThrow();
    });
});

const start = {id: 'call1', channelID: 'ch1', start_at: 1000, post_id: 'p1', thread_id: 'p1', owner_id: 'u1', host_id: 'u1'};

function run(events: Array<[string, Record<string, unknown>]>, calls: Record<string, Call> = {}): Record<string, Call> {
    for (const [name, data] of events) {
        calls = applyCallEvent(calls, name, data, 'ch1').calls;
    }
    return calls;
}

describe('call events', () => {
    it('follows a call from start to end', () => {
        let calls = run([
            ['call_start', start],
            ['user_joined', {user_id: 'u1', session_id: 's1'}],
            ['user_joined', {user_id: 'u2', session_id: 's2'}],
            ['user_joined', {user_id: 'u2', session_id: 's2'}],
            ['user_unmuted', {userID: 'u2', session_id: 's2'}],
            ['user_raise_hand', {userID: 'u1', session_id: 's1', raised_hand: 5}],
            ['user_screen_on', {userID: 'u2', session_id: 's2'}],
            ['user_video_on', {userID: 'u2', session_id: 's2'}],
            ['user_video_on', {userID: 'u1', session_id: 's1'}],
            ['user_video_off', {userID: 'u1', session_id: 's1'}],
        ]);
        const call = calls.ch1;
        expect(call.sessions).toEqual([
            {session_id: 's1', user_id: 'u1', unmuted: false, raised_hand: 5, video: false},
            {session_id: 's2', user_id: 'u2', unmuted: true, raised_hand: 0, video: true},
        ]);
        expect(call.screen_sharing_id).toBe('u2');
        calls = run([['user_left', {user_id: 'u2', session_id: 's2'}], ['call_host_changed', {hostID: 'u1', call_id: 'call1'}]], calls);
        expect(calls.ch1.sessions.map((s) => s.user_id)).toEqual(['u1']);
        expect(calls.ch1.screen_sharing_session_id).toBe('');
        expect(run([['call_end', {channelID: 'ch1', callID: 'call1'}]], calls)).toEqual({});
    });

    it('takes the whole state from call_state and asks for calls it does not know', () => {
        const state: Call = {
            id: 'c', channel_id: 'ch1', start_at: 1, owner_id: 'u1', host_id: 'u1', post_id: 'p', thread_id: 'p',
            screen_sharing_session_id: '', screen_sharing_id: '', sessions: [{session_id: 's', user_id: 'u1', unmuted: true, raised_hand: 0}],
        };
        expect(run([['call_state', {channel_id: 'ch1', call: JSON.stringify(state)}]]).ch1).toEqual(state);
        const r = applyCallEvent({}, 'user_joined', {user_id: 'u1', session_id: 's'}, 'ch9');
        expect(r.unknown).toBe(true);
        expect(r.calls).toEqual({});
        expect(applyCallEvent({}, 'user_voice_on', {}, 'ch9').unknown).toBe(true);
    });

    it('lists each user once, the host first', () => {
        const calls = run([
            ['call_start', {...start, host_id: 'u2'}],
            ['user_joined', {user_id: 'u1', session_id: 'a'}],
            ['user_joined', {user_id: 'u2', session_id: 'b'}],
            ['user_joined', {user_id: 'u1', session_id: 'c'}],
            ['user_unmuted', {userID: 'u1', session_id: 'c'}],
        ]);
        expect(callParticipants(calls.ch1).map((p) => [p.user_id, p.unmuted])).toEqual([['u2', false], ['u1', true]]);
    });

    it('knows the calls of the REST list, their length and when to ring', () => {
        const calls = callsByChannel([{channel_id: 'a'}, {channel_id: 'b', call: run([['call_start', start]]).ch1}]);
        expect(Object.keys(calls)).toEqual(['b']);
        expect(callMinutes(0, 20_000)).toBe(1);
        expect(callMinutes(0, 150_000)).toBe(3);
        const call = calls.b;
        expect(shouldRing(call, 'D', 'u2')).toBe(true);
        expect(shouldRing(call, 'O', 'u2')).toBe(false);
        expect(shouldRing(call, 'D', 'u1')).toBe(false); // my own call
        expect(shouldRing({...call, dismissed_notification: {u2: true}}, 'G', 'u2')).toBe(false);
        expect(shouldRing({...call, sessions: [{session_id: 's', user_id: 'u2', unmuted: false, raised_hand: 0}]}, 'G', 'u2')).toBe(false);
        const dismissed = run([['user_dismissed_notification', {userID: 'u2', callID: 'call1'}]], {ch1: call});
        expect(shouldRing(dismissed.ch1, 'D', 'u2')).toBe(false);
    });
});

describe('ICE after a network change', () => {
    it('waits on disconnected, restarts ICE on failed, then joins again', () => {
        expect(iceStep('connected', 0)).toBe('none');
        expect(iceStep('checking', 1)).toBe('none');
        expect(iceStep('disconnected', 0)).toBe('wait');
        expect(iceStep('failed', 0)).toBe('restart');
        expect(iceStep('failed', MAX_ICE_RESTARTS - 1)).toBe('restart');
        expect(iceStep('failed', MAX_ICE_RESTARTS)).toBe('rejoin');
    });
});

describe('after a reload', () => {
    it('goes back into the call only while the old session is still in it', () => {
        const calls = run([['call_start', start], ['user_joined', {user_id: 'u1', session_id: 's1'}],
            ['user_joined', {user_id: 'u2', session_id: 's2'}]]);
        const note = (over: Record<string, unknown> = {}) => JSON.stringify({channelId: 'ch1', sessionId: 's2', muted: false, hand: true, at: 5000, ...over});
        expect(callToResume(note(), calls, 'u2', 6000)).toEqual({channelId: 'ch1', sessionId: 's2', muted: false, hand: true, at: 5000});
        expect(callToResume(note({muted: 'x', hand: 1}), calls, 'u2', 6000)).toMatchObject({muted: true, hand: false});
        // the server let the session go (grace over, or it left): no rejoin
        expect(callToResume(note(), run([['user_left', {user_id: 'u2', session_id: 's2'}]], calls), 'u2', 6000)).toBeNull();
        expect(callToResume(note(), calls, 'u2', 5000 + RESUME_WITHIN_MS + 1)).toBeNull();
        expect(callToResume(note({channelId: 'other'}), calls, 'u2', 6000)).toBeNull(); // that call ended
        expect(callToResume(note({sessionId: ''}), calls, 'u2', 6000)).toBeNull();
        expect(callToResume(null, calls, 'u2', 6000)).toBeNull();
        expect(callToResume(note(), calls, 'u3', 6000)).toBeNull(); // someone else signed in in this tab
        expect(callToResume('{', calls, 'u2', 6000)).toBeNull();
        expect(callToResume('null', calls, 'u2', 6000)).toBeNull();
    });
});

describe('simulcast', () => {
    it('sends the camera in three encodings, lowest first, each with its rid', () => {
        expect(CAMERA_SIMULCAST.map((e) => e.rid)).toEqual(['l', 'm', 'h']);
        expect(CAMERA_SIMULCAST.map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
    });

    it('tells the tile sizes in device pixels, by sender session, leaving out tiles not shown', () => {
        const sizes = new Map([['s1', {width: 160, height: 90}], ['s2', {width: 0, height: 0}], ['s3', {width: 300.4, height: 168.9}]]);
        expect(videoTiles(sizes, 2)).toEqual({s1: {width: 320, height: 180}, s3: {width: 601, height: 338}});
        expect(videoTiles(new Map(), 1)).toEqual({});
    });
});
