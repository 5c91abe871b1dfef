// Calls in the UI: the channel header's call button, the call bar that stays while you move between
// channels (participants, mute, raised hand, screen sharing, leave), the incoming-call notices of DMs and
// group messages, and the "call started / ended" post. The media side is in ../calls.ts.
import {useEffect, useRef, useState} from 'react';
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {ensureUsers} from '../actions';
import {callStats, dismissCall, endCall, hostControl, type HostAction, hostMake, hostMuteOthers, joinCall, leaveCall, raiseHand, reportVideoTile,
    setMuted, toggleScreenShare, toggleVideo} from '../calls';
import {errorText} from '../client';
import {callMinutes, callParticipants, type Call} from '../lib/calls';
import {channelTitle, displayName} from '../lib/channels';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {Icon} from './Icon';
import {Menu, type MenuItem} from './Menu';

function useNow(every = 1000): number {
    const [now, setNow] = useState(Date.now());
    useEffect(() => {
        const t = setInterval(() => setNow(Date.now()), every);
        return () => clearInterval(t);
    }, [every]);
    return now;
}

function duration(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
    const ss = String(s % 60).padStart(2, '0');
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function useCanCall(channel: Channel): boolean {
    const config = useStore((s) => s.callsConfig);
    const call = useStore((s) => s.calls[channel.id]);
    return Boolean(config && channel.delete_at === 0 && (config.DefaultEnabled || call));
}

/** Start call / Join call / In call, in the channel header. */
export function CallHeaderButton({channel}: {channel: Channel}) {
    const intl = useIntl();
    const can = useCanCall(channel);
    const call = useStore((s) => s.calls[channel.id]);
    const inThis = useStore((s) => s.myCall?.channelId === channel.id);
    if (!can) {
        return null;
    }
    const count = call ? callParticipants(call).length : 0;
    const label = inThis ? intl.formatMessage({id: 'calls.in_call', defaultMessage: 'In call'})
        : call ? intl.formatMessage({id: 'calls.join', defaultMessage: 'Join call'})
        : intl.formatMessage({id: 'calls.start', defaultMessage: 'Start call'});
    return (
        <button type='button' className={`btn btn--small call-btn${call ? ' call-btn--live' : ''}`} disabled={inThis}
            onClick={() => void joinCall(channel.id).catch((e) => update(() => ({toast: errorText(e)})))}>
            <Icon name='phone' size={14}/>
            <span>{label}</span>
            {call && count > 0 && <span className='call-btn__count' aria-label={intl.formatMessage({id: 'calls.participant_count', defaultMessage: '{count, plural, one {# participant} other {# participants}}'}, {count})}>{count}</span>}
        </button>
    );
}

/** A ref for a media element that plays ``stream`` (set again when the stream changes). */
function useStreamPlayer<T extends HTMLMediaElement>(stream: MediaStream) {
    const ref = useRef<T>(null);
    useEffect(() => {
        const el = ref.current;
        if (el) {
            el.srcObject = stream;
            void el.play().catch(() => undefined);
        }
    }, [stream]);
    return ref;
}

function RemoteAudio({stream}: {stream: MediaStream}) {
    const ref = useStreamPlayer<HTMLAudioElement>(stream);
    return <audio ref={ref} autoPlay/>;
}

function RemoteScreen({stream, name}: {stream: MediaStream; name: string}) {
    const intl = useIntl();
    const ref = useStreamPlayer<HTMLVideoElement>(stream);
    return (
        <figure className='call-screen'>
            <video ref={ref} autoPlay muted playsInline aria-label={intl.formatMessage({id: 'calls.screen_of', defaultMessage: 'Screen of {name}'}, {name})}/>
            <figcaption><FormattedMessage id='calls.screen_of' defaultMessage='Screen of {name}' values={{name}}/></figcaption>
        </figure>
    );
}

/** A participant's camera, or mine (muted: the sound comes with the voice, never from a tile). */
function VideoTile({stream, name, mine = false, sessionId = ''}: {stream: MediaStream; name: string; mine?: boolean; sessionId?: string}) {
    const intl = useIntl();
    const ref = useStreamPlayer<HTMLVideoElement>(stream);
    useEffect(() => {
        // the size this tile shows the sender's camera at: the server picks the simulcast layer by it
        const el = ref.current;
        if (!el || mine || !sessionId || typeof ResizeObserver === 'undefined') {
            return undefined;
        }
        const observer = new ResizeObserver(() => reportVideoTile(sessionId, {width: el.clientWidth, height: el.clientHeight}));
        observer.observe(el);
        return () => {
            observer.disconnect();
            reportVideoTile(sessionId, null);
        };
    }, [sessionId, mine]);
    const label = mine ? intl.formatMessage({id: 'calls.my_video', defaultMessage: 'Your camera'})
        : intl.formatMessage({id: 'calls.video_of', defaultMessage: 'Camera of {name}'}, {name});
    return (
        <figure className={`call-video${mine ? ' call-video--mine' : ''}`}>
            <video ref={ref} autoPlay muted playsInline aria-label={label}/>
            <figcaption>{mine ? <FormattedMessage id='calls.my_video' defaultMessage='Your camera'/> : name}</figcaption>
        </figure>
    );
}

type StatRow = {id: string; kind: string; direction: 'in' | 'out'; bytes: number; packets: number; from: string;
    /** inbound video: the size of the frames decoded now, and how many were */
    width: number; height: number; decoded: number};

/** The call's RTP streams, live (what Mattermost's `/call stats` shows): bytes and packets per stream. */
function CallDetails() {
    const intl = useIntl();
    const mediaMap = useStore((s) => s.myCall?.mediaMap ?? {});
    const [rows, setRows] = useState<StatRow[]>([]);
    useEffect(() => {
        let stop = false;
        const poll = async () => {
            const report = await callStats();
            if (stop || !report) {
                return;
            }
            const out: StatRow[] = [];
            const s = getState();
            report.forEach((st: RTCStats & Record<string, unknown>) => {
                if (st.type !== 'inbound-rtp' && st.type !== 'outbound-rtp') {
                    return;
                }
                const inbound = st.type === 'inbound-rtp';
                const sender = inbound ? mediaMap[String(st.mid ?? '')]?.sender_id : '';
                const session = sender ? Object.values(s.calls).flatMap((c) => c.sessions).find((x) => x.session_id === sender) : undefined;
                out.push({
                    id: st.id, kind: String(st.kind ?? ''), direction: inbound ? 'in' : 'out',
                    bytes: Number(inbound ? st.bytesReceived : st.bytesSent) || 0,
                    packets: Number(inbound ? st.packetsReceived : st.packetsSent) || 0,
                    from: session ? displayName(s.users[session.user_id]) : '',
                    width: Number(st.frameWidth) || 0, height: Number(st.frameHeight) || 0, decoded: Number(st.framesDecoded) || 0,
                });
            });
            setRows(out);
        };
        void poll();
        const t = setInterval(() => void poll(), 1000);
        return () => {
            stop = true;
            clearInterval(t);
        };
    }, [mediaMap]);
    return (
        <table className='call-details' aria-label={intl.formatMessage({id: 'calls.details', defaultMessage: 'Call details'})}>
            <thead>
                <tr>
                    <th><FormattedMessage id='calls.details.stream' defaultMessage='Stream'/></th>
                    <th><FormattedMessage id='calls.details.bytes' defaultMessage='Bytes'/></th>
                    <th><FormattedMessage id='calls.details.packets' defaultMessage='Packets'/></th>
                </tr>
            </thead>
            <tbody>
                {rows.map((r) => (
                    <tr key={r.id} data-direction={r.direction} data-kind={r.kind} data-bytes={r.bytes}
                        data-frame-width={r.width || undefined} data-frames-decoded={r.decoded || undefined}>
                        <td>{r.direction === 'in'
                            ? intl.formatMessage({id: 'calls.details.in', defaultMessage: '{kind} in {from}'}, {kind: r.kind, from: r.from})
                            : intl.formatMessage({id: 'calls.details.out', defaultMessage: '{kind} out'}, {kind: r.kind})}
                        {r.width > 0 && ` ${r.width}×${r.height}`}</td>
                        <td>{intl.formatNumber(r.bytes)}</td>
                        <td>{intl.formatNumber(r.packets)}</td>
                    </tr>
                ))}
            </tbody>
        </table>
    );
}

function reportFailure(p: Promise<void>): void {
    void p.catch((e) => update(() => ({toast: errorText(e)})));
}

/** What the host (or a system admin) may do to someone else in the call, as Mattermost's host controls. */
function hostItems(intl: ReturnType<typeof useIntl>, call: Call, userId: string, sessionId: string, name: string,
    unmuted: boolean, hand: boolean): MenuItem[] {
    const act = (action: HostAction) => () => reportFailure(hostControl(call.channel_id, action, sessionId));
    const items: MenuItem[] = [];
    if (userId !== call.host_id) {
        items.push({label: intl.formatMessage({id: 'calls.host_make', defaultMessage: 'Make host'}),
            onSelect: () => reportFailure(hostMake(call.channel_id, userId))});
    }
    if (unmuted) {
        items.push({label: intl.formatMessage({id: 'calls.host_mute', defaultMessage: 'Mute'}), onSelect: act('mute')});
    }
    if (call.screen_sharing_session_id === sessionId) {
        items.push({label: intl.formatMessage({id: 'calls.host_screen_off', defaultMessage: 'Stop screen share'}), onSelect: act('screen-off')});
    }
    if (hand) {
        items.push({label: intl.formatMessage({id: 'calls.host_lower_hand', defaultMessage: 'Lower hand'}), onSelect: act('lower-hand')});
    }
    items.push({label: intl.formatMessage({id: 'calls.host_remove', defaultMessage: 'Remove from call'}), danger: true,
        onSelect: () => update(() => ({modal: {
            kind: 'confirm', danger: true,
            title: intl.formatMessage({id: 'calls.host_remove_title', defaultMessage: 'Remove {name} from the call?'}, {name}),
            body: intl.formatMessage({id: 'calls.host_remove_body', defaultMessage: 'They leave the call and can join it again.'}),
            action: intl.formatMessage({id: 'calls.host_remove', defaultMessage: 'Remove from call'}),
            onConfirm: () => hostControl(call.channel_id, 'remove', sessionId),
        }}))});
    return items;
}

function Participant({call, userId, sessionId, unmuted, hand, isHost, hostControls}: {
    call: Call; userId: string; sessionId: string; unmuted: boolean; hand: boolean; isHost: boolean; hostControls: boolean;
}) {
    const intl = useIntl();
    const user = useStore((s) => s.users[userId]);
    const me = useStore((s) => s.me!);
    const name = displayName(user);
    const sharing = call.screen_sharing_id === userId;
    return (
        <li className='call-participant' data-user-id={userId} data-unmuted={unmuted} data-hand={hand}>
            <Avatar userId={userId} size={24}/>
            <span className='call-participant__name'>
                {name}{userId === me.id && <> <FormattedMessage id='calls.you' defaultMessage='(you)'/></>}
            </span>
            {isHost && <span className='pill'><FormattedMessage id='calls.host' defaultMessage='Host'/></span>}
            {hand && <span className='call-participant__hand' title={intl.formatMessage({id: 'calls.hand_raised', defaultMessage: 'Hand raised'})}><Icon name='hand' size={14}/></span>}
            {sharing && <span title={intl.formatMessage({id: 'calls.sharing', defaultMessage: 'Sharing their screen'})}><Icon name='screen' size={14}/></span>}
            <span className={`call-participant__mic${unmuted ? ' is-on' : ''}`}
                aria-label={unmuted ? intl.formatMessage({id: 'calls.unmuted', defaultMessage: 'Unmuted'}) : intl.formatMessage({id: 'calls.muted', defaultMessage: 'Muted'})}>
                <Icon name={unmuted ? 'mic' : 'mic-off'} size={14}/>
            </span>
            {hostControls && userId !== me.id && (
                <Menu label={intl.formatMessage({id: 'calls.host_controls', defaultMessage: 'Host controls for {name}'}, {name})}
                    button={<Icon name='dots' size={14}/>} buttonClass='icon-btn icon-btn--small' align='right' floating
                    items={hostItems(intl, call, userId, sessionId, name, unmuted, hand)}/>
            )}
        </li>
    );
}

/** The call I am in, at the bottom of the window whatever channel is open. */
export function CallBar({team}: {team: Team}) {
    const intl = useIntl();
    const my = useStore((s) => s.myCall);
    const call = useStore((s) => (s.myCall ? s.calls[s.myCall.channelId] : undefined));
    const channel = useStore((s) => (s.myCall ? s.channels[s.myCall.channelId] : undefined));
    const config = useStore((s) => s.callsConfig);
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const [details, setDetails] = useState(false);
    const now = useNow();
    useEffect(() => {
        if (call) {
            ensureUsers(call.sessions.map((x) => x.user_id));
        }
    }, [call]);
    if (!my) {
        return null;
    }
    const title = channel ? channelTitle(channel, me.id, users) : '';
    const people = call ? callParticipants(call) : [];
    const isHost = call?.host_id === me.id || (me.roles ?? '').split(' ').includes('system_admin');
    // the host controls (Mattermost: the host or a system admin, where the licence allows them)
    const hostControls = isHost && Boolean(config?.HostControlsAllowed);
    const sharer = call?.screen_sharing_session_id && call.screen_sharing_session_id !== my.sessionId ? call.screen_sharing_id : '';
    // the others' video m-lines: the screen being shared, and the cameras that are on
    const sessionsById = new Map((call?.sessions ?? []).map((x) => [x.session_id, x]));
    const screenMid = Object.keys(my.remoteVideo).find((mid) => my.mediaMap[mid]?.type === 'screen'
        && my.mediaMap[mid].sender_id === call?.screen_sharing_session_id);
    const cameras = Object.entries(my.remoteVideo).flatMap(([mid, stream]) => {
        const m = my.mediaMap[mid];
        const session = m?.type === 'video' ? sessionsById.get(m.sender_id) : undefined;
        return session?.video ? [{mid, stream, userId: session.user_id, sessionId: session.session_id}] : [];
    });
    const videoLabel = my.video ? intl.formatMessage({id: 'calls.stop_video', defaultMessage: 'Stop video'}) : intl.formatMessage({id: 'calls.start_video', defaultMessage: 'Start video'});
    const canVideo = config?.EnableVideo !== false && Boolean(navigator.mediaDevices?.getUserMedia);
    const status = my.status === 'connected' ? '' : my.status === 'reconnecting'
        ? intl.formatMessage({id: 'calls.reconnecting', defaultMessage: 'Reconnecting…'})
        : intl.formatMessage({id: 'calls.connecting', defaultMessage: 'Connecting…'});
    const muteLabel = my.muted ? intl.formatMessage({id: 'calls.unmute', defaultMessage: 'Unmute'}) : intl.formatMessage({id: 'calls.mute', defaultMessage: 'Mute'});
    const handLabel = my.hand ? intl.formatMessage({id: 'calls.lower_hand', defaultMessage: 'Lower hand'}) : intl.formatMessage({id: 'calls.raise_hand', defaultMessage: 'Raise hand'});
    const screenLabel = my.sharing ? intl.formatMessage({id: 'calls.stop_sharing', defaultMessage: 'Stop sharing'}) : intl.formatMessage({id: 'calls.share_screen', defaultMessage: 'Share screen'});
    const canShare = Boolean(config?.AllowScreenSharing && navigator.mediaDevices && 'getDisplayMedia' in navigator.mediaDevices) &&
        (!call?.screen_sharing_session_id || my.sharing);
    const open = () => {
        if (channel) {
            navigate(channel.type === 'D' || channel.type === 'G' ? paths.gm(team.name, channel.name) : paths.channel(team.name, channel.name));
        }
    };
    return (
        <section className='call-bar' aria-label={intl.formatMessage({id: 'calls.bar', defaultMessage: 'Call in {title}'}, {title})} data-status={my.status}>
            {sharer && screenMid && <RemoteScreen stream={my.remoteVideo[screenMid]} name={displayName(users[sharer])}/>}
            {(cameras.length > 0 || my.localVideo) && (
                <div className='call-videos' aria-label={intl.formatMessage({id: 'calls.videos', defaultMessage: 'Cameras'})} role='group'>
                    {cameras.map((c) => <VideoTile key={c.mid} stream={c.stream} name={displayName(users[c.userId])} sessionId={c.sessionId}/>)}
                    {my.localVideo && <VideoTile stream={my.localVideo} name='' mine/>}
                </div>
            )}
            {details && <CallDetails/>}
            <div className='call-bar__head'>
                <Icon name='phone' size={16}/>
                <button type='button' className='call-bar__title' onClick={open}>{title}</button>
                {call && <span className='call-bar__time'>{duration(now - call.start_at)}</span>}
                {status && <span className='call-bar__status' role='status'>{status}</span>}
            </div>
            <ul className='call-bar__people' aria-label={intl.formatMessage({id: 'calls.participants', defaultMessage: 'Participants'})}>
                {call && people.map((p) => (
                    <Participant key={p.user_id} call={call} userId={p.user_id} sessionId={p.session_id} unmuted={p.unmuted}
                        hand={p.raised_hand > 0} isHost={p.user_id === call.host_id} hostControls={hostControls}/>
                ))}
            </ul>
            {hostControls && call && call.sessions.some((x) => x.unmuted && x.user_id !== me.id) && (
                <button type='button' className='btn btn--small btn--ghost call-bar__mute-others'
                    onClick={() => reportFailure(hostMuteOthers(call.channel_id))}>
                    <FormattedMessage id='calls.host_mute_others' defaultMessage='Mute everyone else'/>
                </button>
            )}
            {my.noMic && <p className='call-bar__note'><FormattedMessage id='calls.no_mic' defaultMessage='No microphone: you can listen only.'/></p>}
            <div className='call-bar__controls' role='toolbar' aria-label={intl.formatMessage({id: 'calls.controls', defaultMessage: 'Call controls'})}>
                <button type='button' className={`icon-btn${my.muted ? '' : ' is-on'}`} aria-label={muteLabel} title={muteLabel}
                    aria-pressed={!my.muted} disabled={my.noMic || my.status === 'connecting'}
                    onClick={() => void setMuted(!my.muted).catch(() => update(() => ({toast: intl.formatMessage({id: 'calls.unmute_failed', defaultMessage: 'Could not turn on your microphone.'})})))}>
                    <Icon name={my.muted ? 'mic-off' : 'mic'}/>
                </button>
                <button type='button' className={`icon-btn${my.hand ? ' is-on' : ''}`} aria-label={handLabel} title={handLabel} aria-pressed={my.hand}
                    onClick={() => raiseHand(!my.hand)}>
                    <Icon name='hand'/>
                </button>
                {canVideo && (
                    <button type='button' className={`icon-btn${my.video ? ' is-on' : ''}`} aria-label={videoLabel} title={videoLabel}
                        aria-pressed={my.video} disabled={my.status === 'connecting'} onClick={() => void toggleVideo()}>
                        <Icon name={my.video ? 'video' : 'video-off'}/>
                    </button>
                )}
                {canShare && (
                    <button type='button' className={`icon-btn${my.sharing ? ' is-on' : ''}`} aria-label={screenLabel} title={screenLabel}
                        aria-pressed={my.sharing} disabled={my.status === 'connecting'} onClick={() => void toggleScreenShare()}>
                        <Icon name='screen'/>
                    </button>
                )}
                <button type='button' className={`icon-btn${details ? ' is-on' : ''}`} aria-pressed={details}
                    aria-label={intl.formatMessage({id: 'calls.details', defaultMessage: 'Call details'})}
                    title={intl.formatMessage({id: 'calls.details', defaultMessage: 'Call details'})} onClick={() => setDetails(!details)}>
                    <Icon name='info'/>
                </button>
                {isHost && call && (
                    <button type='button' className='btn btn--small btn--danger-ghost' onClick={() => update(() => ({modal: {
                        kind: 'confirm', danger: true,
                        title: intl.formatMessage({id: 'calls.end_title', defaultMessage: 'End the call for everyone?'}),
                        body: intl.formatMessage({id: 'calls.end_body', defaultMessage: 'Everyone in the call will be disconnected.'}),
                        action: intl.formatMessage({id: 'calls.end', defaultMessage: 'End call'}),
                        onConfirm: () => endCall(call.channel_id),
                    }}))}>
                        <FormattedMessage id='calls.end' defaultMessage='End call'/>
                    </button>
                )}
                <button type='button' className='btn btn--small btn--danger call-bar__leave' onClick={leaveCall}>
                    <Icon name='phone-off' size={14}/>
                    <FormattedMessage id='calls.leave' defaultMessage='Leave'/>
                </button>
            </div>
            {Object.entries(my.remoteAudio).map(([mid, stream]) => <RemoteAudio key={mid} stream={stream}/>)}
        </section>
    );
}

const RING_FOR_MS = 30000;

/** A ring tone (two short tones every two seconds, for half a minute) while a call rings here. */
function useRingTone(on: boolean): void {
    useEffect(() => {
        if (!on || typeof AudioContext === 'undefined') {
            return;
        }
        let ctx: AudioContext;
        try {
            ctx = new AudioContext();
        } catch {
            return;
        }
        const ring = () => {
            const t = ctx.currentTime;
            for (const [at, freq] of [[0, 660], [0.25, 880]]) {
                const osc = ctx.createOscillator();
                const gain = ctx.createGain();
                osc.frequency.value = freq;
                gain.gain.setValueAtTime(0.08, t + at);
                gain.gain.exponentialRampToValueAtTime(0.001, t + at + 0.22);
                osc.connect(gain).connect(ctx.destination);
                osc.start(t + at);
                osc.stop(t + at + 0.22);
            }
        };
        ring();
        const every = setInterval(ring, 2000);
        const stop = setTimeout(() => clearInterval(every), RING_FOR_MS);
        return () => {
            clearInterval(every);
            clearTimeout(stop);
            void ctx.close().catch(() => undefined);
        };
    }, [on]);
}

/** Incoming DM/GM calls (ringing): join or decline. */
export function IncomingCalls() {
    const intl = useIntl();
    const ringing = useStore((s) => s.ringing);
    const calls = useStore((s) => s.calls);
    const users = useStore((s) => s.users);
    const channels = useStore((s) => s.channels);
    const me = useStore((s) => s.me!);
    useEffect(() => {
        ensureUsers(ringing.map((id) => calls[id]?.owner_id ?? ''));
    }, [ringing, calls]);
    const live = ringing.filter((id) => calls[id]);
    useRingTone(live.length > 0);
    if (!live.length) {
        return null;
    }
    return (
        <div className='incoming-calls'>
            {live.map((id) => {
                const call = calls[id];
                const caller = displayName(users[call.owner_id]);
                const group = channels[id]?.type === 'G';
                return (
                    <div key={id} className='incoming-call' role='alertdialog' aria-label={intl.formatMessage({id: 'calls.incoming', defaultMessage: 'Incoming call'})}>
                        <Avatar userId={call.owner_id} size={32}/>
                        <p>{group
                            ? intl.formatMessage({id: 'calls.incoming_group', defaultMessage: '{caller} is inviting you to a call with {title}'},
                                {caller, title: channels[id] ? channelTitle(channels[id], me.id, users) : ''})
                            : intl.formatMessage({id: 'calls.incoming_dm', defaultMessage: '{caller} is calling you'}, {caller})}</p>
                        <button type='button' className='btn btn--small btn--primary' onClick={() => void joinCall(id)}>
                            <FormattedMessage id='calls.accept' defaultMessage='Join'/>
                        </button>
                        <button type='button' className='btn btn--small btn--ghost' onClick={() => void dismissCall(id)}>
                            <FormattedMessage id='calls.decline' defaultMessage='Decline'/>
                        </button>
                    </div>
                );
            })}
        </div>
    );
}

/** The `custom_calls` post: a live call with its Join button, or how long it lasted. */
export function CallPostCard({post}: {post: Post}) {
    const intl = useIntl();
    const call = useStore((s) => {
        const c = s.calls[post.channel_id];
        return c && c.post_id === post.id ? c : undefined;
    });
    const inThis = useStore((s) => s.myCall?.channelId === post.channel_id);
    const enabled = useStore((s) => Boolean(s.callsConfig));
    const now = useNow();
    const props = (post.props ?? {}) as {start_at?: number; end_at?: number; title?: string; participants?: string[]};
    const startAt = Number(props.start_at) || post.create_at;
    const endAt = Number(props.end_at) || 0;
    const title = props.title || intl.formatMessage({id: 'calls.post.started', defaultMessage: 'Call started'});
    return (
        <div className={`call-post${endAt ? ' call-post--ended' : ''}`} data-call-post={endAt ? 'ended' : call ? 'live' : 'started'}>
            <span className='call-post__icon'><Icon name={endAt ? 'phone-off' : 'phone'}/></span>
            <div className='call-post__text'>
                <strong>{endAt ? intl.formatMessage({id: 'calls.post.ended', defaultMessage: 'Call ended'}) : title}</strong>
                <span className='call-post__meta'>{endAt
                    ? intl.formatMessage({id: 'calls.post.lasted', defaultMessage: 'Lasted {minutes, plural, one {# minute} other {# minutes}}'}, {minutes: callMinutes(startAt, endAt)})
                    : call ? intl.formatMessage({id: 'calls.post.live', defaultMessage: 'Started {time} ago · {count, plural, one {# participant} other {# participants}}'},
                        {time: duration(now - startAt), count: callParticipants(call).length}) : null}</span>
            </div>
            {!endAt && call && enabled && (
                <button type='button' className='btn btn--small btn--primary' disabled={inThis} onClick={() => void joinCall(post.channel_id)}>
                    {inThis ? intl.formatMessage({id: 'calls.in_call', defaultMessage: 'In call'}) : intl.formatMessage({id: 'calls.join', defaultMessage: 'Join call'})}
                </button>
            )}
        </div>
    );
}
