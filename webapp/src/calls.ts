// Calls in the browser, against the server's com.mattermost.calls plugin, the way the calls plugin's own
// web app talks to it: REST under /plugins/com.mattermost.calls/, a second WebSocket per call whose first
// connection id is the call session, `custom_com.mattermost.calls_<action>` messages (the SDP zlib-deflated
// in a msgpack binary frame), one RTCPeerConnection with the server's SFU and the "calls-dc" data channel
// (its signalling lock taken before we renegotiate, its media map telling whose track each m-line carries).
import {refreshChannel} from './actions';
import {client, websocketUrl} from './client';
import {intl} from './i18n';
import {applyCallEvent, type Call, CALLS_EVENT, CALLS_PLUGIN, CAMERA_SIMULCAST, type CallResume, callsByChannel, type CallsConfig, callToResume, DC,
    ICE_DISCONNECTED_GRACE_MS, ICE_RESTART_GIVE_UP_MS, iceStep, shouldRing, videoTiles} from './lib/calls';
import {decodeAll, encode, type Packable} from './lib/msgpack';
import {getState, type MyCall, update} from './store';

const BASE = () => `${client.getUrl()}/plugins/${CALLS_PLUGIN}`;
/** How long the WebSocket may stay down before we give up the call (the server keeps the session 10 s). */
const RECONNECT_GIVE_UP_MS = 9000;
const LOCK_TIMEOUT_MS = 10000;
/** A Janus connection that fails outright (its DTLS closed: Janus stopping) waits this long for the server's
 * `reset` (Janus back, the room made again) before we join the call again. */
const JANUS_RESET_GRACE_MS = 8000;
/** Rejoins in a row (each after a lost connection) before we give up. */
const MAX_REJOINS = 3;
/** sessionStorage: the call this tab was in when its page was unloaded (a reload goes back to it). */
const RESUME_KEY = 'chinwag.calls.resume';

async function rest<T>(path: string, method = 'get', body?: unknown): Promise<T> {
    const opts = client.getOptions({method, body: body === undefined ? undefined : JSON.stringify(body)});
    const resp = await fetch(BASE() + path, opts as RequestInit);
    const ct = resp.headers.get('Content-Type') ?? '';
    const data = ct.startsWith('application/json') ? await resp.json() : null;
    if (!resp.ok) {
        throw Object.assign(new Error(data?.message || resp.statusText), {status_code: resp.status});
    }
    return data as T;
}

/** The plugin's client config and the calls in my channels; the plugin off (404/501): no calls. */
export async function loadCalls(): Promise<void> {
    try {
        const [config, list] = await Promise.all([
            rest<CallsConfig>('/config'),
            rest<Array<{channel_id: string; call?: Call}>>('/channels?mobilev2=true'),
        ]);
        update(() => ({callsConfig: config, calls: callsByChannel(list)}));
        ringFor(Object.values(getState().calls));
        void resumeAfterReload();
    } catch {
        update(() => ({callsConfig: null, calls: {}, ringing: []}));
    }
}

async function loadChannelCall(channelId: string): Promise<void> {
    try {
        const state = await rest<{call?: Call}>(`/${channelId}`);
        update((s) => {
            const calls = {...s.calls};
            if (state.call) {
                calls[channelId] = state.call;
            } else {
                delete calls[channelId];
            }
            return {calls};
        });
    } catch {
        // not a member (any more)
    }
}

function ringFor(calls: Call[]): void {
    const s = getState();
    if (!s.callsConfig?.EnableRinging || !s.me) {
        return;
    }
    const unknown = calls.filter((c) => !s.channels[c.channel_id]);
    if (unknown.length) {
        // a DM that was just opened: learn the channel, then decide
        void Promise.all(unknown.map((c) => refreshChannel(c.channel_id).catch(() => null)))
            .then(() => ringFor(unknown.filter((c) => getState().channels[c.channel_id])));
    }
    const ring = calls.filter((c) => s.channels[c.channel_id] && shouldRing(c, s.channels[c.channel_id].type, s.me!.id) &&
        s.myCall?.channelId !== c.channel_id).map((c) => c.channel_id);
    if (ring.length) {
        update((st) => ({ringing: [...new Set([...st.ringing, ...ring])]}));
    }
}

function stopRinging(channelId: string): void {
    if (getState().ringing.includes(channelId)) {
        update((s) => ({ringing: s.ringing.filter((id) => id !== channelId)}));
    }
}

/** Declines a ringing call: the notice goes away here and on my other devices. */
export async function dismissCall(channelId: string): Promise<void> {
    stopRinging(channelId);
    const call = getState().calls[channelId];
    if (call) {
        await rest(`/calls/${channelId}/dismiss-notification`, 'post').catch(() => undefined);
    }
}

/** A `custom_com.mattermost.calls_*` event on the app's own WebSocket. */
export function onCallsEvent(event: string, data: Record<string, unknown>, channelId: string): void {
    const name = event.slice(CALLS_EVENT.length);
    const before = getState().calls;
    const {calls, unknown} = applyCallEvent(before, name, data, channelId);
    if (calls !== before) {
        update(() => ({calls}));
    }
    if (unknown && channelId) {
        void loadChannelCall(channelId);
    }
    const me = getState().me;
    const mine = getState().myCall;
    switch (name) {
    case 'call_start':
        ringFor([calls[String(data.channelID || channelId)]].filter(Boolean));
        break;
    case 'call_end':
        stopRinging(String(data.channelID || channelId));
        if (mine && mine.channelId === String(data.channelID || channelId)) {
            current?.close();
        }
        break;
    case 'user_joined':
    case 'user_dismissed_notification':
        if (me && (data.user_id === me.id || data.userID === me.id)) {
            stopRinging(channelId); // answered or declined on another device
        }
        break;
    case 'host_mute':
        if (mine && data.session_id === mine.sessionId) {
            current?.mute(false);
            update(() => ({toast: intl().formatMessage({id: 'calls.host_muted_you', defaultMessage: 'The host muted you.'})}));
        }
        break;
    case 'host_screen_off':
        // the server already stopped forwarding the screen: let go of it here
        if (mine && data.session_id === mine.sessionId) {
            current?.stopScreen(false);
            update(() => ({toast: intl().formatMessage({id: 'calls.host_screen_off_you', defaultMessage: 'The host stopped your screen share.'})}));
        }
        break;
    case 'host_lower_hand':
        if (mine && data.session_id === mine.sessionId) {
            current?.raiseHand(false, false);
            update(() => ({toast: intl().formatMessage({id: 'calls.host_lowered_your_hand', defaultMessage: 'The host lowered your hand.'})}));
        }
        break;
    case 'host_removed':
        // everyone in the call hears it; the removed session leaves (the server ends it 3 s later otherwise)
        if (mine && data.session_id === mine.sessionId) {
            current?.close();
            update(() => ({toast: intl().formatMessage({id: 'calls.host_removed_you', defaultMessage: 'The host removed you from the call.'})}));
        }
        break;
    }
}

function setMyCall(patch: Partial<MyCall>): void {
    update((s) => (s.myCall ? {myCall: {...s.myCall, ...patch}} : {}));
}

async function deflate(text: string): Promise<Uint8Array> {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
}

type Signal = {type: 'offer' | 'answer'; sdp: string};
/** On a Janus-backed call: which of our two connections a description is for; the subscriber's offer
 * carries the media map of its m-lines. */
type JanusSignal = Signal & {pc: 'publisher' | 'subscriber'; media?: Record<string, {type: string; sender_id: string}>};
type MediaKind = 'voice' | 'screen' | 'video';

/** The call I am in: its WebSocket and its peer connection with the server's SFU. */
class CallConnection {
    private ws: WebSocket | null = null;
    private connId = '';
    private sessionId = '';
    private seq = 1;
    private serverSeq = 0;
    private pc: RTCPeerConnection | null = null;
    private dc: RTCDataChannel | null = null;
    private mic: MediaStream | null = null;
    private micSender: RTCRtpSender | null = null;
    private screen: MediaStream | null = null;
    private screenSender: RTCRtpSender | null = null;
    private camera: MediaStream | null = null;
    private cameraSender: RTCRtpSender | null = null;
    private lockWaiter: ((granted: boolean) => void) | null = null;
    private renegotiating = false;
    private reconnecting = false;
    private rejoins = 0;
    private signals: Promise<void> = Promise.resolve();
    private downSince = 0;
    private retry: ReturnType<typeof setTimeout> | null = null;
    /** ICE restarts since the connection was last up, the one under way (its deadline) and a pending one */
    private iceRestarts = 0;
    private iceRestartDeadline: ReturnType<typeof setTimeout> | null = null;
    private iceRestartTimer: ReturnType<typeof setTimeout> | null = null;
    /** A call carried by Janus (the server said so at join): a publisher and a subscriber connection
     * instead of the one with the embedded SFU, signalled with janus_sdp / janus_ice / janus_signal. */
    private janus = false;
    private pub: RTCPeerConnection | null = null;
    private sub: RTCPeerConnection | null = null;
    private pubKinds: Record<string, MediaKind> = {};
    private pubAnswer: ((sdp: string) => void) | null = null;
    private pubFail: ((e: Error) => void) | null = null;
    /** How many times Janus restarted under the call (the server's `reset`): sent with every janus_sdp and
     * janus_ice, so that what the old connections still send is not taken for the new ones'. */
    private janusEpoch = 0;
    private pubOps: Promise<unknown> = Promise.resolve();
    /** Per Janus connection: ICE restarts since it was last up, the one under way (its deadline), a pending one */
    private janusIce: Record<'publisher' | 'subscriber', {restarts: number; deadline: ReturnType<typeof setTimeout> | null;
        timer: ReturnType<typeof setTimeout> | null}> = {
            publisher: {restarts: 0, deadline: null, timer: null}, subscriber: {restarts: 0, deadline: null, timer: null}};
    closed = false;

    constructor(readonly channelId: string, private iceServers: RTCIceServer[], private unmuteOnConnect = false, rejoins = 0,
        private handOnJoin = false) {
        this.rejoins = rejoins;
    }

    /** Leaves this session and joins the call again with a fresh WebSocket and peer connection, unmuted
     * again if we were; gives up after a few tries in a row. */
    private rejoin(): void {
        if (this.closed) {
            return;
        }
        if (this.rejoins >= MAX_REJOINS) {
            this.fail(intl().formatMessage({id: 'calls.connection_lost', defaultMessage: 'The connection to the call was lost.'}));
            return;
        }
        const unmuted = getState().myCall?.muted === false;
        this.close(true, false);
        current = new CallConnection(this.channelId, this.iceServers, unmuted, this.rejoins + 1);
        setMyCall({status: 'reconnecting', sessionId: '', remoteAudio: {}, remoteVideo: {}, mediaMap: {}, sharing: false, muted: true,
            video: false, localVideo: null});
        void current.start();
    }

    async start(): Promise<void> {
        try {
            this.mic = await navigator.mediaDevices.getUserMedia({audio: true, video: false});
        } catch {
            this.mic = null; // listening only
        }
        if (this.closed) {
            this.mic?.getTracks().forEach((t) => t.stop());
            return;
        }
        setMyCall({noMic: !this.mic});
        this.open();
    }

    private open(): void {
        const resume = this.connId ? `connection_id=${this.connId}&sequence_number=${this.serverSeq}` : 'connection_id=&sequence_number=0';
        const ws = new WebSocket(`${websocketUrl()}?${resume}`);
        ws.binaryType = 'arraybuffer';
        this.ws = ws;
        ws.onmessage = (ev) => this.onMessage(ev.data);
        ws.onopen = () => {
            if (this.sessionId) {
                // the WebSocket is back (a resumed connection gets no hello): the session goes on
                this.sendReconnect(this.connId);
            }
        };
        ws.onclose = () => {
            if (this.ws !== ws || this.closed) {
                return;
            }
            this.downSince ||= Date.now();
            if (Date.now() - this.downSince > RECONNECT_GIVE_UP_MS) {
                this.rejoin(); // the server has let our session go by now
                return;
            }
            setMyCall({status: 'reconnecting'});
            this.retry = setTimeout(() => this.open(), 1000);
        };
    }

    private sendReconnect(prevConnId: string): void {
        this.send('reconnect', {channelID: this.channelId, originalConnID: this.sessionId, prevConnID: prevConnId});
        this.reconnecting = true;
        setTimeout(() => {
            this.reconnecting = false;
        }, 3000);
        this.downSince = 0;
        setMyCall({status: this.janus || this.pc?.connectionState === 'connected' ? 'connected' : 'connecting'});
    }

    send(action: string, data?: Record<string, Packable>, binary = false): void {
        const msg = {action: CALLS_EVENT + action, seq: this.seq++, data: data ?? null};
        if (this.ws?.readyState === WebSocket.OPEN) {
            this.ws.send(binary ? encode(msg) : JSON.stringify(msg));
        }
    }

    private onMessage(raw: unknown): void {
        if (typeof raw !== 'string') {
            return;
        }
        let msg: {event?: string; seq?: number; data?: Record<string, unknown>};
        try {
            msg = JSON.parse(raw);
        } catch {
            return;
        }
        if (typeof msg.seq === 'number') {
            this.serverSeq = msg.seq + 1;
        }
        const data = msg.data ?? {};
        if (msg.event === 'hello') {
            const id = String(data.connection_id ?? '');
            const prev = this.connId;
            if (id !== prev) {
                this.connId = id;
                this.seq = 1;
            }
            if (!this.sessionId) {
                this.sessionId = id;
                update((s) => (s.myCall ? {myCall: {...s.myCall, sessionId: id}} : {}));
                // twoPeers: we can open two connections (a Janus-backed call's publisher and subscriber)
                this.send('join', {channelID: this.channelId, title: '', twoPeers: true});
            } else if (id !== prev) {
                // the server could not resume the connection and gave a new one: the session goes on there
                this.sendReconnect(prev);
            }
            return;
        }
        if (!msg.event?.startsWith(CALLS_EVENT) || (data.connID !== this.connId && data.connID !== this.sessionId)) {
            return;
        }
        switch (msg.event.slice(CALLS_EVENT.length)) {
        case 'join':
            if (this.handOnJoin) {
                this.handOnJoin = false;
                this.raiseHand(true);
            }
            if (data.sfu === 'janus') {
                this.startJanus();
            } else {
                void this.startPeer();
            }
            break;
        case 'janus_signal':
            try {
                const signal = JSON.parse(String(data.data)) as JanusSignal;
                this.signals = this.signals.then(() => this.onJanusSignal(signal)).catch((e) => console.warn('calls: signalling failed', e));
            } catch {
                // not a description
            }
            break;
        case 'signal':
            try {
                const signal = JSON.parse(String(data.data)) as Signal;
                this.signals = this.signals.then(() => this.onSignal(signal)).catch((e) => console.warn('calls: signalling failed', e));
            } catch {
                // not a description
            }
            break;
        case 'error':
            if (!this.pc && !this.janus) {
                this.fail(String(data.data || ''));
            } else if (this.reconnecting || this.iceRestartDeadline) {
                // the server no longer has our session (it gave up waiting): join again
                this.rejoin();
            }
            break;
        }
    }

    private async startPeer(): Promise<void> {
        const pc = new RTCPeerConnection({iceServers: this.iceServers, bundlePolicy: 'max-bundle'});
        this.pc = pc;
        pc.onicecandidate = (ev) => {
            if (ev.candidate) {
                this.send('ice', {data: JSON.stringify(ev.candidate.toJSON())});
            }
        };
        pc.onconnectionstatechange = () => {
            if (pc.connectionState === 'connected') {
                setMyCall({status: 'connected'});
                this.rejoins = 0;
                if (this.unmuteOnConnect) {
                    this.unmuteOnConnect = false;
                    void this.unmute().catch(() => undefined);
                }
            } else if (pc.connectionState === 'failed' && !this.closed && pc.iceConnectionState !== 'failed') {
                // not ICE (which restarts below): the secure transport is gone, a new peer connection
                // in a new session of the same call
                this.rejoin();
            }
        };
        pc.oniceconnectionstatechange = () => this.onIceState(pc);
        pc.ontrack = (ev) => this.onTrack(ev);
        const dc = pc.createDataChannel('calls-dc');
        dc.binaryType = 'arraybuffer';
        this.dc = dc;
        dc.onmessage = (ev) => this.onData(ev.data);
        await pc.setLocalDescription(await pc.createOffer());
        await this.sendSdp();
    }

    /** A Janus-backed call: nothing to connect until we send something (the publisher) or Janus offers
     * us the others (the subscriber). */
    private startJanus(): void {
        this.janus = true;
        setMyCall({status: 'connected'});
        this.rejoins = 0;
        if (this.unmuteOnConnect) {
            this.unmuteOnConnect = false;
            void this.unmute().catch(() => undefined);
        }
    }

    private janusPeer(name: 'publisher' | 'subscriber'): RTCPeerConnection {
        const pc = new RTCPeerConnection({iceServers: this.iceServers, bundlePolicy: 'max-bundle'});
        pc.onicecandidate = (ev) => {
            if (ev.candidate) {
                this.send('janus_ice', {data: JSON.stringify({pc: name, candidate: ev.candidate.toJSON(), epoch: this.janusEpoch})});
            }
        };
        pc.onconnectionstatechange = () => {
            // not ICE (which restarts below): the secure transport is gone (Janus stopped?): unless the
            // server's reset replaces the connection meanwhile, join again
            if (pc.connectionState === 'failed' && !this.closed && pc.iceConnectionState !== 'failed') {
                setTimeout(() => {
                    if (this.janusPc(name) === pc && !this.closed) {
                        this.rejoin();
                    }
                }, JANUS_RESET_GRACE_MS);
            }
        };
        pc.oniceconnectionstatechange = () => this.onJanusIceState(name, pc);
        return pc;
    }

    private janusPc(name: 'publisher' | 'subscriber'): RTCPeerConnection | null {
        return name === 'publisher' ? this.pub : this.sub;
    }

    /** A network change on one of our Janus connections, as on the embedded SFU's (onIceState): wait on
     * `disconnected`, restart ICE on `failed` (or still disconnected after the grace), join again when
     * restarts do not bring it back. The publisher offers new credentials (Janus answers with its own);
     * the subscriber asks the server for Janus's offer with new ones (VideoRoom `configure` `restart`). */
    private onJanusIceState(name: 'publisher' | 'subscriber', pc: RTCPeerConnection): void {
        if (this.janusPc(name) !== pc || this.closed) {
            return;
        }
        const ice = this.janusIce[name];
        const state = pc.iceConnectionState;
        if (state === 'connected' || state === 'completed') {
            this.clearJanusIce(name);
            ice.restarts = 0;
            if (!this.janusIce.publisher.deadline && !this.janusIce.subscriber.deadline) {
                setMyCall({status: 'connected'});
            }
            return;
        }
        const step = iceStep(state, ice.restarts);
        const restart = () => {
            this.signals = this.signals.then(() => this.restartJanusIce(name, pc)).catch(() => {
                if (this.janusPc(name) === pc) {
                    this.rejoin();
                }
            });
        };
        if (step === 'wait' && !ice.timer && !ice.deadline) {
            setMyCall({status: 'reconnecting'});
            ice.timer = setTimeout(() => {
                ice.timer = null;
                if (pc.iceConnectionState === 'disconnected') {
                    restart();
                }
            }, ICE_DISCONNECTED_GRACE_MS);
        } else if (step === 'restart' && !ice.deadline) {
            restart();
        } else if (step === 'rejoin') {
            this.rejoin();
        }
    }

    private async restartJanusIce(name: 'publisher' | 'subscriber', pc: RTCPeerConnection): Promise<void> {
        const ice = this.janusIce[name];
        if (this.janusPc(name) !== pc || this.closed || ice.deadline || pc.iceConnectionState === 'connected'
            || pc.iceConnectionState === 'completed') {
            return;
        }
        if (pc.signalingState !== 'stable') {
            // a negotiation is under way: once it is done (or a moment later) try again
            ice.timer = setTimeout(() => {
                ice.timer = null;
                this.onJanusIceState(name, pc);
            }, 500);
            return;
        }
        ice.restarts++;
        setMyCall({status: 'reconnecting'});
        ice.deadline = setTimeout(() => {
            ice.deadline = null;
            if (this.janusPc(name) === pc && pc.iceConnectionState !== 'connected' && pc.iceConnectionState !== 'completed') {
                this.rejoin();
            }
        }, ICE_RESTART_GIVE_UP_MS);
        if (name === 'subscriber') {
            // Janus offers again with new credentials (janus_signal), answered as any of its offers
            this.send('janus_sdp', {data: await deflate(JSON.stringify({pc: 'subscriber', type: 'restart', epoch: this.janusEpoch}))}, true);
            return;
        }
        // not awaited here: Janus's answer comes on the signalling this chain delivers
        this.offerPublisher(pc, true).catch(() => {
            if (this.pub === pc) {
                this.rejoin();
            }
        });
    }

    private clearJanusIce(name?: 'publisher' | 'subscriber'): void {
        for (const n of name ? [name] : (['publisher', 'subscriber'] as const)) {
            const ice = this.janusIce[n];
            for (const t of [ice.timer, ice.deadline]) {
                if (t) {
                    clearTimeout(t);
                }
            }
            ice.timer = null;
            ice.deadline = null;
        }
    }

    /** Offers our publisher connection to Janus (`janus_sdp`, with what each m-line carries) and applies its
     * answer; under the publisher's queue (one negotiation at a time). */
    private offerPublisher(pc: RTCPeerConnection, iceRestart = false): Promise<void> {
        const op = this.pubOps.then(async () => {
            if (this.pub !== pc || this.closed) {
                return;
            }
            await pc.setLocalDescription(await pc.createOffer({iceRestart}));
            await this.exchangePublisher(pc);
        });
        this.pubOps = op.catch(() => undefined);
        return op;
    }

    private async exchangePublisher(pc: RTCPeerConnection): Promise<void> {
        const answer = new Promise<string>((resolve, reject) => {
            this.pubAnswer = resolve;
            this.pubFail = reject;
            setTimeout(() => reject(new Error('calls: no answer from Janus')), LOCK_TIMEOUT_MS);
        });
        const d = pc.localDescription!;
        // deflated in a binary frame, as `sdp` (the server closes a WebSocket on a frame over 8 KiB)
        this.send('janus_sdp', {data: await deflate(JSON.stringify({pc: 'publisher', type: d.type, sdp: d.sdp, kinds: this.pubKinds,
            epoch: this.janusEpoch}))}, true);
        await pc.setRemoteDescription({type: 'answer', sdp: await answer});
        this.pubAnswer = null;
    }

    /** Janus restarted and the server made the call's room again (`reset`): both connections anew, what we
     * send published again (muted, the microphone's m-line without a track), the others' streams coming
     * again with Janus's next offer on a new subscriber. */
    private resetJanus(epoch: number): void {
        this.janusEpoch = epoch;
        // an offer still waiting for the old Janus's answer gives up now
        this.pubFail?.(new Error('calls: Janus restarted'));
        this.clearJanusIce();
        for (const ice of Object.values(this.janusIce)) {
            ice.restarts = 0;
        }
        this.pub?.close();
        this.sub?.close();
        this.pub = null;
        this.sub = null;
        this.pubKinds = {};
        this.pubAnswer = null;
        update((s) => (s.myCall ? {myCall: {...s.myCall, remoteAudio: {}, remoteVideo: {}, mediaMap: {}}} : {}));
        // not awaited here: Janus's answers come on the signalling chain this runs in
        this.republish().catch((e) => console.warn('calls: publishing to Janus again failed', e));
    }

    private async republish(): Promise<void> {
        const mic = this.micSender ? this.mic?.getAudioTracks()[0] : undefined;
        const screen = this.screenSender ? this.screen?.getVideoTracks()[0] : undefined;
        const camera = this.cameraSender ? this.camera?.getVideoTracks()[0] : undefined;
        this.micSender = this.screenSender = this.cameraSender = null;
        if (mic) {
            this.micSender = await this.publish('voice', (pc) => pc.addTransceiver(mic, {direction: 'sendonly', streams: [this.mic!]}).sender);
            if (getState().myCall?.muted !== false) {
                await this.micSender.replaceTrack(null);
            }
        }
        if (screen && this.screen) {
            const stream = this.screen;
            this.screenSender = await this.publish('screen', (pc) => pc.addTransceiver(screen, {direction: 'sendonly', streams: [stream]}).sender);
        }
        if (camera && this.camera) {
            const stream = this.camera;
            this.cameraSender = await this.publish('video', (pc) => pc.addTransceiver(camera, {direction: 'sendonly', streams: [stream],
                ...(cameraSimulcast() ? {sendEncodings: CAMERA_SIMULCAST} : {})}).sender);
        }
    }

    private async onJanusSignal(signal: JanusSignal): Promise<void> {
        if (this.closed) {
            return;
        }
        if ((signal.type as string) === 'reset') {
            this.resetJanus(Number((signal as {epoch?: number}).epoch) || 0);
            return;
        }
        if (signal.pc === 'publisher' && signal.type === 'answer') {
            this.pubAnswer?.(signal.sdp);
            return;
        }
        if (signal.pc !== 'subscriber' || signal.type !== 'offer') {
            return;
        }
        if (!this.sub) {
            this.sub = this.janusPeer('subscriber');
            this.sub.ontrack = (ev) => this.onTrack(ev);
        }
        const media = signal.media ?? {};
        update((s) => (s.myCall ? {myCall: {...s.myCall, mediaMap: media}} : {}));
        await this.sub.setRemoteDescription({type: 'offer', sdp: signal.sdp});
        await this.sub.setLocalDescription(await this.sub.createAnswer());
        const d = this.sub.localDescription!;
        this.send('janus_sdp', {data: await deflate(JSON.stringify({pc: 'subscriber', type: d.type, sdp: d.sdp, epoch: this.janusEpoch}))}, true);
    }

    /** Adds a stream to our publisher connection (made at the first) and offers it to Janus again. */
    private publish(kind: MediaKind, add: (pc: RTCPeerConnection) => RTCRtpSender): Promise<RTCRtpSender> {
        const op = this.pubOps.then(async () => {
            this.pub ??= this.janusPeer('publisher');
            const pc = this.pub;
            const sender = add(pc);
            await pc.setLocalDescription(await pc.createOffer());
            const mid = pc.getTransceivers().find((t) => t.sender === sender)?.mid;
            if (mid) {
                this.pubKinds[mid] = kind;
            }
            await this.exchangePublisher(pc);
            return sender;
        });
        this.pubOps = op.catch(() => undefined);
        return op;
    }

    private onTrack(ev: RTCTrackEvent): void {
        const mid = ev.transceiver.mid ?? ev.track.id;
        const stream = new MediaStream([ev.track]);
        if (ev.track.kind === 'audio') {
            update((s) => (s.myCall ? {myCall: {...s.myCall, remoteAudio: {...s.myCall.remoteAudio, [mid]: stream}}} : {}));
        } else {
            // a screen or a camera: the media map (by m-line) says which, and whose
            update((s) => (s.myCall ? {myCall: {...s.myCall, remoteVideo: {...s.myCall.remoteVideo, [mid]: stream}}} : {}));
        }
    }

    /** A network change: ICE `disconnected` (wait, it may come back), `failed` (restart ICE: a new path
     * for the same peer connection and session, as the calls plugin's client does), back up (done). */
    private onIceState(pc: RTCPeerConnection): void {
        if (this.pc !== pc || this.closed) {
            return;
        }
        const state = pc.iceConnectionState;
        if (state === 'connected' || state === 'completed') {
            this.clearIceRestart();
            this.iceRestarts = 0;
            if (pc.connectionState === 'connected') {
                setMyCall({status: 'connected'});
            }
            return;
        }
        const step = iceStep(state, this.iceRestarts);
        if (step === 'wait' && !this.iceRestartTimer && !this.iceRestartDeadline) {
            setMyCall({status: 'reconnecting'});
            this.iceRestartTimer = setTimeout(() => {
                this.iceRestartTimer = null;
                if (pc.iceConnectionState === 'disconnected') {
                    this.signals = this.signals.then(() => this.restartIce(pc)).catch(() => this.rejoin());
                }
            }, ICE_DISCONNECTED_GRACE_MS);
        } else if (step === 'restart' && !this.iceRestartDeadline) {
            this.signals = this.signals.then(() => this.restartIce(pc)).catch(() => this.rejoin());
        } else if (step === 'rejoin') {
            this.rejoin();
        }
    }

    /** Offers new ICE credentials and candidates (`iceRestart`) over the call's WebSocket; the server answers
     * with its own, and ICE finds a new path under the same DTLS session. Not found in time: join again. */
    private async restartIce(pc: RTCPeerConnection): Promise<void> {
        if (this.pc !== pc || this.closed || this.iceRestartDeadline || pc.iceConnectionState === 'connected'
            || pc.iceConnectionState === 'completed') {
            return;
        }
        if (pc.signalingState !== 'stable') {
            // an offer is out: once it is answered (or a moment later) try again
            this.iceRestartTimer = setTimeout(() => {
                this.iceRestartTimer = null;
                this.onIceState(pc);
            }, 500);
            return;
        }
        this.iceRestarts++;
        setMyCall({status: 'reconnecting'});
        this.iceRestartDeadline = setTimeout(() => {
            this.iceRestartDeadline = null;
            if (this.pc === pc && pc.iceConnectionState !== 'connected' && pc.iceConnectionState !== 'completed') {
                this.rejoin();
            }
        }, ICE_RESTART_GIVE_UP_MS);
        await pc.setLocalDescription(await pc.createOffer({iceRestart: true}));
        await this.sendSdp();
    }

    private clearIceRestart(): void {
        for (const t of [this.iceRestartTimer, this.iceRestartDeadline]) {
            if (t) {
                clearTimeout(t);
            }
        }
        this.iceRestartTimer = null;
        this.iceRestartDeadline = null;
    }

    private onData(raw: unknown): void {
        if (!(raw instanceof ArrayBuffer)) {
            return;
        }
        let values: Packable[];
        try {
            values = decodeAll(new Uint8Array(raw));
        } catch {
            return;
        }
        if (values[0] === DC.LOCK && this.lockWaiter) {
            const waiter = this.lockWaiter;
            this.lockWaiter = null;
            waiter(values[1] === true);
        } else if (values[0] === DC.MEDIA_MAP && values[1] && typeof values[1] === 'object') {
            const map = values[1] as Record<string, {type: string; sender_id: string}>;
            update((s) => (s.myCall ? {myCall: {...s.myCall, mediaMap: {...s.myCall.mediaMap, ...map}}} : {}));
        }
    }

    private async sendSdp(): Promise<void> {
        const d = this.pc?.localDescription;
        if (d) {
            this.send('sdp', {data: await deflate(JSON.stringify({type: d.type, sdp: d.sdp}))}, true);
        }
    }

    private async onSignal(signal: Signal): Promise<void> {
        const pc = this.pc;
        if (!pc || this.closed) {
            return;
        }
        await pc.setRemoteDescription(signal);
        if (signal.type === 'offer') {
            await pc.setLocalDescription(await pc.createAnswer());
            await this.sendSdp();
        } else if (this.renegotiating) {
            this.renegotiating = false;
            this.dc?.send(new Uint8Array([DC.UNLOCK]));
        }
    }

    /** The signalling lock (the server holds its offers while we renegotiate). */
    private async lock(): Promise<void> {
        const deadline = Date.now() + LOCK_TIMEOUT_MS;
        while (Date.now() < deadline && !this.closed) {
            if (this.dc?.readyState === 'open' && this.pc?.signalingState === 'stable') {
                const answer = new Promise<boolean>((resolve) => {
                    this.lockWaiter = resolve;
                    setTimeout(() => resolve(false), 2000);
                });
                this.dc.send(new Uint8Array([DC.LOCK]));
                if (await answer) {
                    return;
                }
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('calls: no signalling lock');
    }

    /** Adds a track under the lock and offers it; the server's answer gives the lock back. On Janus: to
     * our publisher connection. */
    private async addTrack(add: (pc: RTCPeerConnection) => RTCRtpSender, kind: MediaKind): Promise<RTCRtpSender> {
        if (this.janus) {
            return this.publish(kind, add);
        }
        await this.lock();
        const pc = this.pc!;
        const sender = add(pc);
        this.renegotiating = true;
        await pc.setLocalDescription(await pc.createOffer());
        await this.sendSdp();
        return sender;
    }

    async unmute(): Promise<void> {
        const track = this.mic?.getAudioTracks()[0];
        if (!track || (!this.pc && !this.janus)) {
            return;
        }
        track.enabled = true;
        if (this.micSender) {
            await this.micSender.replaceTrack(track);
        } else {
            this.micSender = await this.addTrack((pc) => pc.addTrack(track, this.mic!), 'voice');
        }
        this.send('unmute');
        setMyCall({muted: false});
    }

    mute(tell = true): void {
        const track = this.mic?.getAudioTracks()[0];
        if (track) {
            track.enabled = false;
        }
        void this.micSender?.replaceTrack(null);
        if (tell) {
            this.send('mute');
        }
        setMyCall({muted: true});
    }

    raiseHand(up: boolean, tell = true): void {
        if (tell) {
            this.send(up ? 'raise_hand' : 'unraise_hand');
        }
        setMyCall({hand: up});
    }

    async shareScreen(): Promise<void> {
        const stream = await navigator.mediaDevices.getDisplayMedia({video: true, audio: false});
        const track = stream.getVideoTracks()[0];
        if (this.closed || !track) {
            stream.getTracks().forEach((t) => t.stop());
            return;
        }
        this.screen = stream;
        track.onended = () => this.stopScreen();
        this.send('screen_on', {data: JSON.stringify({screenStreamID: stream.id})});
        if (this.screenSender) {
            await this.screenSender.replaceTrack(track);
        } else {
            this.screenSender = await this.addTrack((pc) => pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]}).sender, 'screen');
        }
        setMyCall({sharing: true});
    }

    stopScreen(tell = true): void {
        if (!this.screen) {
            return;
        }
        this.screen.getTracks().forEach((t) => t.stop());
        this.screen = null;
        void this.screenSender?.replaceTrack(null);
        if (tell) {
            this.send('screen_off');
        }
        setMyCall({sharing: false});
    }

    /** The camera on: `video_on`, then its track on a send-only transceiver (added and offered under the
     * signalling lock the first time; later the same sender carries it again). */
    async videoOn(): Promise<void> {
        const simulcast = cameraSimulcast();
        const size = simulcast ? {width: {ideal: 960}, height: {ideal: 540}} : {width: {ideal: 640}, height: {ideal: 360}};
        const stream = await navigator.mediaDevices.getUserMedia({video: size, audio: false});
        const track = stream.getVideoTracks()[0];
        if (this.closed || !track) {
            stream.getTracks().forEach((t) => t.stop());
            return;
        }
        this.camera = stream;
        this.send('video_on');
        if (this.cameraSender) {
            await this.cameraSender.replaceTrack(track);
        } else {
            this.cameraSender = await this.addTrack((pc) => pc.addTransceiver(track, {direction: 'sendonly', streams: [stream],
                ...(simulcast ? {sendEncodings: CAMERA_SIMULCAST} : {})}).sender, 'video');
        }
        setMyCall({video: true, localVideo: stream});
    }

    videoOff(): void {
        if (!this.camera) {
            return;
        }
        this.camera.getTracks().forEach((t) => t.stop());
        this.camera = null;
        void this.cameraSender?.replaceTrack(null);
        this.send('video_off');
        setMyCall({video: false, localVideo: null});
    }

    /** The inbound and outbound RTP streams now (the call details panel). */
    async stats(): Promise<RTCStatsReport | null> {
        if (this.janus) {
            // both connections' streams, their ids kept apart
            const all = new Map<string, RTCStats>();
            for (const [name, pc] of [['pub', this.pub], ['sub', this.sub]] as const) {
                (await pc?.getStats())?.forEach((st: RTCStats) => all.set(`${name}:${st.id}`, {...st, id: `${name}:${st.id}`}));
            }
            return all as unknown as RTCStatsReport;
        }
        return this.pc ? this.pc.getStats() : null;
    }

    private fail(message: string): void {
        this.close(false);
        update(() => ({toast: message || intl().formatMessage({id: 'calls.join_failed', defaultMessage: 'Could not join the call.'})}));
    }

    /** Leaves the call (`leave` unless the server already ended it) and lets go of the devices. */
    close(leave = true, forget = true): void {
        if (this.closed) {
            return;
        }
        this.closed = true;
        if (this.retry) {
            clearTimeout(this.retry);
        }
        this.clearIceRestart();
        this.clearJanusIce();
        if (leave) {
            this.send('leave');
        }
        this.ws?.close();
        this.pc?.close();
        this.pub?.close();
        this.sub?.close();
        this.mic?.getTracks().forEach((t) => t.stop());
        this.screen?.getTracks().forEach((t) => t.stop());
        this.camera?.getTracks().forEach((t) => t.stop());
        if (current === this && forget) {
            current = null;
            update(() => ({myCall: null}));
        }
    }
}

let current: CallConnection | null = null;

/** The camera in several encodings (CAMERA_SIMULCAST) when the server says so; not in Firefox, as the
 * calls plugin's own client (its simulcast is not tested here). */
function cameraSimulcast(): boolean {
    return Boolean(getState().callsConfig?.EnableSimulcast) && !/firefox/i.test(navigator.userAgent);
}

/** Starts or joins the call in a channel (leaving the one I am in elsewhere); `resume`: going back to the
 * call after a reload, unmuted and with a raised hand again if we were. */
export async function joinCall(channelId: string, resume?: {unmuted: boolean; hand: boolean}): Promise<void> {
    const config = getState().callsConfig;
    if (!config) {
        return;
    }
    if (current?.channelId === channelId) {
        return;
    }
    current?.close();
    stopRinging(channelId);
    let iceServers: RTCIceServer[] = config.ICEServersConfigs ?? [];
    if (config.NeedsTURNCredentials) {
        try {
            const creds = await rest<RTCIceServer[]>('/turn-credentials');
            iceServers = [...iceServers.filter((s) => ![s.urls].flat().some((u) => /^turns?:/.test(String(u)))), ...creds];
        } catch {
            // STUN and host candidates only
        }
    }
    const conn = new CallConnection(channelId, iceServers, resume?.unmuted ?? false, 0, resume?.hand ?? false);
    current = conn;
    update(() => ({myCall: {
        channelId, sessionId: '', status: 'connecting', muted: true, noMic: false, hand: false, sharing: false,
        remoteAudio: {}, remoteVideo: {}, mediaMap: {}, video: false, localVideo: null,
    }}));
    await conn.start();
}

export function leaveCall(): void {
    current?.close();
}

export async function setMuted(muted: boolean): Promise<void> {
    if (muted) {
        current?.mute();
    } else {
        await current?.unmute();
    }
}

export function raiseHand(up: boolean): void {
    current?.raiseHand(up);
}

export async function toggleScreenShare(): Promise<void> {
    if (getState().myCall?.sharing) {
        current?.stopScreen();
        return;
    }
    try {
        await current?.shareScreen();
    } catch {
        update(() => ({toast: intl().formatMessage({id: 'calls.screen_failed', defaultMessage: 'Could not share your screen.'})}));
    }
}

export async function toggleVideo(): Promise<void> {
    if (getState().myCall?.video) {
        current?.videoOff();
        return;
    }
    try {
        await current?.videoOn();
    } catch {
        update(() => ({toast: intl().formatMessage({id: 'calls.video_failed', defaultMessage: 'Could not turn on your camera.'})}));
    }
}

/** The others' camera tiles as shown now (CSS pixels), by sender session id. */
const tileSizes = new Map<string, {width: number; height: number}>();
let tilesTimer: ReturnType<typeof setTimeout> | undefined;

/** A camera tile's size changed (null: gone): the server hears the sizes (`video_tiles`, at most every
 * 300 ms) and forwards each camera's simulcast layer that fits its tile. */
export function reportVideoTile(senderSessionId: string, size: {width: number; height: number} | null): void {
    if (size) {
        tileSizes.set(senderSessionId, size);
    } else {
        tileSizes.delete(senderSessionId);
    }
    if (!getState().callsConfig?.EnableSimulcast || tilesTimer) {
        return;
    }
    tilesTimer = setTimeout(() => {
        tilesTimer = undefined;
        current?.send('video_tiles', {data: JSON.stringify(videoTiles(tileSizes, window.devicePixelRatio || 1))});
    }, 300);
}

export function callStats(): Promise<RTCStatsReport | null> {
    return current ? current.stats() : Promise.resolve(null);
}

/** The host (or a system admin) ends the call for everyone. */
export async function endCall(channelId: string): Promise<void> {
    await rest(`/calls/${channelId}/end`, 'post');
}

/** The host controls (the host or a system admin): on a session, or (make host) on a user in the call. */
export type HostAction = 'mute' | 'screen-off' | 'lower-hand' | 'remove';

export async function hostControl(channelId: string, action: HostAction, sessionId: string): Promise<void> {
    await rest(`/calls/${channelId}/host/${action}`, 'post', {session_id: sessionId});
}

export async function hostMake(channelId: string, userId: string): Promise<void> {
    await rest(`/calls/${channelId}/host/make`, 'post', {new_host_id: userId});
}

export async function hostMuteOthers(channelId: string): Promise<void> {
    await rest(`/calls/${channelId}/host/mute-others`, 'post');
}

let resumeChecked = false;

/** After a reload: back into the call the tab was in (once, when the calls are first loaded), if our old
 * session is still in it. The server lets our new session take its place, so the others keep seeing us
 * once. */
async function resumeAfterReload(): Promise<void> {
    if (resumeChecked) {
        return;
    }
    resumeChecked = true;
    let raw: string | null = null;
    try {
        raw = sessionStorage.getItem(RESUME_KEY);
        sessionStorage.removeItem(RESUME_KEY);
    } catch {
        return; // no storage
    }
    const resume = callToResume(raw, getState().calls, getState().me?.id ?? '', Date.now());
    if (resume && !current) {
        await joinCall(resume.channelId, {unmuted: !resume.muted, hand: resume.hand});
    }
}

if (typeof window !== 'undefined') {
    // The page goes (a reload, a tab closed: they cannot be told apart here): note the call for a reload of
    // this tab and close without `leave`, so the server keeps the session for its grace (10 s); a reload
    // joins again within it and takes the session's place, a closed tab leaves when it runs out.
    window.addEventListener('pagehide', () => {
        const my = getState().myCall;
        if (current && my?.sessionId && my.channelId === current.channelId) {
            const note: CallResume = {channelId: my.channelId, sessionId: my.sessionId, muted: my.muted, hand: my.hand, at: Date.now()};
            try {
                sessionStorage.setItem(RESUME_KEY, JSON.stringify(note));
            } catch {
                // no storage: the session leaves after the grace
            }
        }
        current?.close(false);
    });
    window.addEventListener('pageshow', (ev) => {
        if (ev.persisted) { // back from the back/forward cache
            resumeChecked = false;
            void resumeAfterReload();
        }
    });
}
