// Calls (the server's com.mattermost.calls plugin): the shapes its REST routes and WebSocket events use,
// and how an event changes what we know of the calls in the channels (pure, so it is unit-tested).

export const CALLS_PLUGIN = 'com.mattermost.calls';
export const CALLS_EVENT = `custom_${CALLS_PLUGIN}_`;

export type CallSession = {session_id: string; user_id: string; unmuted: boolean; raised_hand: number; video?: boolean};

export type Call = {
    id: string;
    channel_id: string;
    start_at: number;
    owner_id: string;
    host_id: string;
    post_id: string;
    thread_id: string;
    screen_sharing_session_id: string;
    screen_sharing_id: string;
    sessions: CallSession[];
    // DM/GM ringing: users who dismissed the incoming-call notice
    dismissed_notification?: Record<string, boolean>;
};

export type CallsConfig = {
    ICEServersConfigs: RTCIceServer[];
    NeedsTURNCredentials: boolean;
    DefaultEnabled: boolean;
    AllowScreenSharing: boolean;
    EnableVideo?: boolean;
    /** The camera is sent in several encodings (CAMERA_SIMULCAST); the server forwards one to each receiver. */
    EnableSimulcast?: boolean;
    MaxCallParticipants: number;
    EnableRinging: boolean;
    HostControlsAllowed: boolean;
};

/** The camera's encodings with simulcast on, lowest first: a quarter, half and the full size of the
 * capture (960x540). The server picks one per receiver (by the size we show each tile at: `video_tiles`). */
export const CAMERA_SIMULCAST: RTCRtpEncodingParameters[] = [
    {rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000},
    {rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000},
    {rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_200_000},
];

/** `video_tiles`' payload: the size (device pixels) each camera tile shows, by its sender's session id;
 * tiles not on screen (no size) left out. */
export function videoTiles(sizes: Map<string, {width: number; height: number}>, dpr: number): Record<string, {width: number; height: number}> {
    const out: Record<string, {width: number; height: number}> = {};
    for (const [session, size] of sizes) {
        if (size.width > 0 && size.height > 0) {
            out[session] = {width: Math.round(size.width * dpr), height: Math.round(size.height * dpr)};
        }
    }
    return out;
}

/** GET /plugins/com.mattermost.calls/channels: `[{channel_id, enabled, call?}]`. */
export function callsByChannel(list: Array<{channel_id: string; call?: Call}>): Record<string, Call> {
    const out: Record<string, Call> = {};
    for (const c of list) {
        if (c.call) {
            out[c.channel_id] = c.call;
        }
    }
    return out;
}

function str(v: unknown): string {
    return typeof v === 'string' ? v : '';
}

function withSessions(call: Call, fn: (sessions: CallSession[]) => CallSession[]): Call {
    return {...call, sessions: fn(call.sessions)};
}

function patchSession(call: Call, sessionId: string, patch: Partial<CallSession>): Call {
    return withSessions(call, (ss) => ss.map((s) => (s.session_id === sessionId ? {...s, ...patch} : s)));
}

/**
 * The calls after one `custom_com.mattermost.calls_<name>` event. `channelId` is the event's broadcast
 * channel (the user_* events carry no channel of their own). Returns the same object when the event
 * changes nothing here; `unknown` is true when it concerns a call we have not heard of (reload it).
 */
export function applyCallEvent(calls: Record<string, Call>, name: string, data: Record<string, unknown>,
    channelId: string): {calls: Record<string, Call>; unknown: boolean} {
    const put = (id: string, call: Call | null) => {
        const next = {...calls};
        if (call) {
            next[id] = call;
        } else {
            delete next[id];
        }
        return {calls: next, unknown: false};
    };
    switch (name) {
    case 'call_start': {
        const id = str(data.channelID) || channelId;
        return put(id, {
            id: str(data.id), channel_id: id, start_at: Number(data.start_at) || Date.now(), owner_id: str(data.owner_id),
            host_id: str(data.host_id) || str(data.owner_id), post_id: str(data.post_id), thread_id: str(data.thread_id),
            screen_sharing_session_id: '', screen_sharing_id: '', sessions: calls[id]?.sessions ?? [],
        });
    }
    case 'call_end': {
        const id = str(data.channelID) || channelId;
        return calls[id] ? put(id, null) : {calls, unknown: false};
    }
    case 'call_state': {
        let call: Call | null = null;
        try {
            call = typeof data.call === 'string' ? JSON.parse(data.call) as Call : (data.call as Call | null);
        } catch {
            call = null;
        }
        const id = str(data.channel_id) || call?.channel_id || channelId;
        return call && id ? put(id, {...call, channel_id: id}) : {calls, unknown: false};
    }
    }
    const call = calls[channelId];
    if (!call) {
        return {calls, unknown: name.startsWith('user_') || name === 'call_host_changed'};
    }
    const sessionId = str(data.session_id);
    const userId = str(data.user_id) || str(data.userID);
    switch (name) {
    case 'user_joined':
        if (call.sessions.some((s) => s.session_id === sessionId)) {
            return {calls, unknown: false};
        }
        return put(channelId, withSessions(call, (ss) => [...ss, {session_id: sessionId, user_id: userId, unmuted: false, raised_hand: 0, video: false}]));
    case 'user_left': {
        const left = withSessions(call, (ss) => ss.filter((s) => s.session_id !== sessionId));
        if (call.screen_sharing_session_id === sessionId) {
            left.screen_sharing_session_id = '';
            left.screen_sharing_id = '';
        }
        return put(channelId, left);
    }
    case 'user_muted':
    case 'user_unmuted':
        return put(channelId, patchSession(call, sessionId, {unmuted: name === 'user_unmuted'}));
    case 'user_raise_hand':
    case 'user_unraise_hand':
        return put(channelId, patchSession(call, sessionId, {raised_hand: name === 'user_raise_hand' ? Number(data.raised_hand) || Date.now() : 0}));
    case 'user_video_on':
    case 'user_video_off':
        return put(channelId, patchSession(call, sessionId, {video: name === 'user_video_on'}));
    case 'user_screen_on':
        return put(channelId, {...call, screen_sharing_session_id: sessionId, screen_sharing_id: userId});
    case 'user_screen_off':
        return call.screen_sharing_session_id === sessionId
            ? put(channelId, {...call, screen_sharing_session_id: '', screen_sharing_id: ''}) : {calls, unknown: false};
    case 'call_host_changed':
        return put(channelId, {...call, host_id: str(data.hostID)});
    case 'user_dismissed_notification':
        return put(channelId, {...call, dismissed_notification: {...call.dismissed_notification, [userId]: true}});
    }
    return {calls, unknown: false};
}

/** The users in a call, one entry per user (a user may join from two devices), the host first. */
export function callParticipants(call: Call): CallSession[] {
    const seen = new Map<string, CallSession>();
    for (const s of call.sessions) {
        const had = seen.get(s.user_id);
        seen.set(s.user_id, had ? {...had, unmuted: had.unmuted || s.unmuted, raised_hand: had.raised_hand || s.raised_hand} : s);
    }
    return [...seen.values()].sort((a, b) => Number(b.user_id === call.host_id) - Number(a.user_id === call.host_id));
}

/** A finished call's length in whole minutes (at least one), from the call post's props. */
export function callMinutes(startAt: number, endAt: number): number {
    return Math.max(1, Math.round((endAt - startAt) / 60000));
}

/** A data channel message of calls-common: its type, then a msgpack payload for some types. */
export const DC = {PING: 1, PONG: 2, SDP: 3, LOSS_RATE: 4, RTT: 5, JITTER: 6, LOCK: 7, UNLOCK: 8, MEDIA_MAP: 9} as const;

/** Whether to ring for a call that started in this channel (a DM or group message someone else started
 * and I have not dismissed), as the calls plugin's web app does when ringing is on. */
export function shouldRing(call: Call, channelType: string, myId: string): boolean {
    return (channelType === 'D' || channelType === 'G') && call.owner_id !== myId &&
        !call.dismissed_notification?.[myId] && !call.sessions.some((s) => s.user_id === myId);
}

/** ICE restarts in a row (without the connection coming back in between) before we join again instead. */
export const MAX_ICE_RESTARTS = 2;
/** How long ICE may stay `disconnected` (it may come back by itself) before we restart it. */
export const ICE_DISCONNECTED_GRACE_MS = 2000;
/** How long an ICE restart may take to find a new path before we join again instead. */
export const ICE_RESTART_GIVE_UP_MS = 10000;

export type IceStep = 'none' | 'wait' | 'restart' | 'rejoin';

/** What a network change calls for, from the peer connection's ICE state: `disconnected` may heal by
 * itself (wait, then restart), `failed` needs an ICE restart (new credentials and candidates offered over
 * the signalling, the same peer connection and session) — unless restarts in a row did not bring it back,
 * then a fresh peer connection in a new session (rejoin). */
export function iceStep(state: RTCIceConnectionState, restarts: number): IceStep {
    if (state === 'disconnected') {
        return 'wait';
    }
    if (state === 'failed') {
        return restarts < MAX_ICE_RESTARTS ? 'restart' : 'rejoin';
    }
    return 'none';
}

/** What a tab notes when it is unloaded in a call (sessionStorage: a reload of the same tab reads it). */
export type CallResume = {channelId: string; sessionId: string; muted: boolean; hand: boolean; at: number};

/** How long the server keeps a session whose WebSocket closed (its reconnect grace). */
export const RESUME_WITHIN_MS = 10000;

/** The call to go back to after a reload: the one the tab was in, if our old session is still in it (the
 * server keeps it for its grace, and our join then takes its place); null when it is gone (left, ended,
 * or the reload took longer than the grace), or was someone else's (another user signed in meanwhile). */
export function callToResume(raw: string | null, calls: Record<string, Call>, myId: string, now: number): CallResume | null {
    let saved: CallResume;
    try {
        saved = JSON.parse(raw ?? '') as CallResume;
    } catch {
        return null;
    }
    if (!saved || typeof saved.channelId !== 'string' || typeof saved.sessionId !== 'string' || !saved.sessionId ||
        typeof saved.at !== 'number' || now - saved.at > RESUME_WITHIN_MS || now < saved.at) {
        return null;
    }
    const call = calls[saved.channelId];
    return call?.sessions.some((s) => s.session_id === saved.sessionId && s.user_id === myId)
        ? {...saved, muted: saved.muted !== false, hand: saved.hand === true} : null;
}
