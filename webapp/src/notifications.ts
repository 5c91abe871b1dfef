// Desktop alerts for new posts: the browser Notification (after the user allowed it), a short
// sound made with WebAudio, and clicking the alert opens the post.
import type {Post} from '@mattermost/types/posts';

import {channelTitle, displayName} from './lib/channels';
import {desktopAlert, notificationBody} from './lib/notify';
import {paths} from './lib/routes';
import {CRT, getState} from './store';

export type Permission = 'granted' | 'denied' | 'default' | 'unsupported';

export function permission(): Permission {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission; must run from a user action (a click), as browsers require. */
export async function requestPermission(): Promise<Permission> {
    if (typeof Notification === 'undefined') {
        return 'unsupported';
    }
    unlockAudio();
    return Notification.requestPermission();
}

let audio: AudioContext | null = null;

/** Creates the audio context during a user action, so later sounds are allowed to play. */
export function unlockAudio(): void {
    if (audio || typeof AudioContext === 'undefined') {
        return;
    }
    try {
        audio = new AudioContext();
    } catch {
        audio = null;
    }
}

/** A short two-note chime. */
export function playSound(): void {
    if (!audio) {
        unlockAudio();
    }
    const ctx = audio;
    if (!ctx) {
        return;
    }
    void ctx.resume?.().catch(() => undefined);
    const start = ctx.currentTime + 0.01;
    [880, 1318.5].forEach((freq, i) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        const t = start + i * 0.12;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.4);
    });
    sounds.played++;
}

/** Counters the end-to-end tests read (window.__chinwagNotifications). */
export const sounds = {played: 0};

/** Called for every new post from the WebSocket: shows the alert when the settings say so. */
export function notifyPosted(post: Post, mentions: string[] | null, focused: boolean, teamName: string, followers: string[] | null = null): void {
    const s = getState();
    const me = s.me;
    if (!me) {
        return;
    }
    const channel = s.channels[post.channel_id];
    const decision = desktopAlert({post, me, channel, member: s.myMembers[post.channel_id], mentions, focused, crt: CRT(s), followers});
    if (!decision.show || !channel) {
        return;
    }
    if (decision.sound) {
        playSound();
    }
    if (permission() !== 'granted') {
        return;
    }
    const nameMode = s.prefs.find((p) => p.category === 'display_settings' && p.name === 'name_format')?.value;
    const fromWebhook = post.props?.override_username as string | undefined;
    const sender = fromWebhook || displayName(s.users[post.user_id], nameMode);
    const title = channel.type === 'D' ? sender : channelTitle(channel, me.id, s.users, nameMode);
    try {
        const n = new Notification(title, {body: notificationBody(sender, post.message), tag: post.id,
            icon: document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href});
        n.onclick = () => {
            window.focus();
            // The router follows popstate (imported here it would need a window at load time).
            window.history.pushState(null, '', paths.permalink(teamName, post.id));
            window.dispatchEvent(new PopStateEvent('popstate'));
            n.close();
        };
    } catch {
        // Some browsers only allow notifications from a service worker; the title still counts.
    }
}

declare global {
    interface Window {
        __chinwagNotifications?: typeof sounds;
    }
}
if (typeof window !== 'undefined') {
    window.__chinwagNotifications = sounds;
}
