// Desktop notifications in the UI: the permission banner, the tab title with unread counts, the
// "Notifications" settings (the user's notify_props) and a channel's notification preferences.
import {useEffect, useState, type FormEvent} from 'react';
import type {ChannelMembership} from '@mattermost/types/channels';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {FormattedMessage, useIntl, type IntlShape} from 'react-intl';

import {addUsers, savePrefs} from '../actions';
import {client, errorText} from '../client';
import {tabTitle, unreadTotals} from '../lib/notify';
import {RECEIPTS_CATEGORY, RECEIPTS_NAME, receiptsOn} from '../lib/receipts';
import {permission, playSound, requestPermission, unlockAudio, type Permission} from '../notifications';
import {CRT, update, useStore} from '../store';
import {Icon} from './Icon';
import {Modal} from './Modals';
import {Radios, type Choice} from './Radios';

const close = () => update(() => ({modal: null}));

/** Keeps the tab title as "(mentions) Place - Team", or "* Place - Team" with unreads only. */
export function useTabTitle(place: string, team: Team): void {
    const channels = useStore((s) => s.channels);
    const members = useStore((s) => s.myMembers);
    const teamUnreads = useStore((s) => s.teamUnreads);
    const crt = useStore(CRT);
    useEffect(() => {
        if (!place) {
            return;
        }
        const totals = unreadTotals({channels, members, crt, teamId: team.id, teamUnreads});
        document.title = tabTitle(place, team.display_name, totals);
    }, [place, team.id, team.display_name, channels, members, teamUnreads, crt]);
}

const DISMISSED = 'chinwag:notifications_banner_dismissed';

/** Asks, from a click, for permission to show desktop notifications (browsers require a user action). */
export function PermissionBanner() {
    const intl = useIntl();
    const [state, setState] = useState<Permission>(permission);
    const [dismissed, setDismissed] = useState(() => {
        try {
            return localStorage.getItem(DISMISSED) === '1';
        } catch {
            return false;
        }
    });
    if (state !== 'default' || dismissed) {
        return null;
    }
    return (
        <div className='banner' role='region' aria-label={intl.formatMessage({id: 'notify.desktop', defaultMessage: 'Desktop notifications'})}>
            <Icon name='bell' size={16}/>
            <span className='banner__text'>
                <FormattedMessage id='notify.banner' defaultMessage='Get desktop notifications for mentions and direct messages.'/>
            </span>
            <button type='button' className='btn btn--small banner__btn' onClick={async () => setState(await requestPermission())}>
                <FormattedMessage id='notify.banner.enable' defaultMessage='Enable notifications'/>
            </button>
            <button type='button' className='icon-btn icon-btn--small banner__close'
                aria-label={intl.formatMessage({id: 'common.dismiss', defaultMessage: 'Dismiss'})} onClick={() => {
                try {
                    localStorage.setItem(DISMISSED, '1');
                } catch {
                    // private mode: hidden for this visit only
                }
                setDismissed(true);
            }}><Icon name='close' size={14}/></button>
        </div>
    );
}

const levels = (intl: IntlShape): Choice[] => [
    {value: 'all', label: intl.formatMessage({id: 'notify.level.all', defaultMessage: 'For all activity'})},
    {value: 'mention', label: intl.formatMessage({id: 'notify.level.mention', defaultMessage: 'Only for mentions and direct messages'})},
    {value: 'none', label: intl.formatMessage({id: 'notify.level.none', defaultMessage: 'Never'})},
];

/** The user's notify_props, saved with PUT /users/me/patch. */
export function NotificationSettings() {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const crt = useStore(CRT);
    const props = (me.notify_props ?? {}) as unknown as Record<string, string>;
    const [v, setV] = useState<Record<string, string>>(() => ({
        desktop: props.desktop || 'mention',
        desktop_sound: props.desktop_sound || 'true',
        email: props.email || 'true',
        push: props.push || 'mention',
        comments: props.comments || 'never',
        desktop_threads: props.desktop_threads || 'all',
        first_name: props.first_name || 'false',
        channel: props.channel || 'true',
        mention_keys: props.mention_keys ?? '',
    }));
    const receiptsOffered = useStore((s) => s.config.EnableReadReceipts === 'true');
    const receiptsWere = useStore((s) => receiptsOn(s.config, s.prefs));
    const [receipts, setReceipts] = useState(receiptsWere);
    const [perm, setPerm] = useState<Permission>(permission);
    const [msg, setMsg] = useState('');
    const [error, setError] = useState('');
    const set = (k: string, value: string) => {
        setMsg('');
        setV((cur) => ({...cur, [k]: value}));
    };
    const save = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        try {
            const keys = v.mention_keys.split(',').map((k) => k.trim()).filter(Boolean).join(',');
            const notify_props = {...props, ...v, mention_keys: keys} as unknown as UserProfile['notify_props'];
            const u = await client.patchMe({notify_props});
            addUsers([u]);
            update(() => ({me: u}));
            if (receiptsOffered && receipts !== receiptsWere) {
                await savePrefs([{user_id: me.id, category: RECEIPTS_CATEGORY, name: RECEIPTS_NAME, value: receipts ? 'true' : 'false'}]);
            }
            setMsg(intl.formatMessage({id: 'account.saved', defaultMessage: 'Saved.'}));
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        }
    };
    const LEVELS = levels(intl);
    return (
        <Modal title={intl.formatMessage({id: 'menu.notifications', defaultMessage: 'Notifications'})} onSubmit={save} wide footer={<>
            {msg && <span className='form-ok' role='status'>{msg}</span>}
            <span className='spacer'/>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.close' defaultMessage='Close'/></button>
            <button type='submit' className='btn btn--primary'><FormattedMessage id='common.save' defaultMessage='Save'/></button>
        </>}>
            <Radios legend={intl.formatMessage({id: 'notify.desktop', defaultMessage: 'Desktop notifications'})} name='desktop' value={v.desktop}
                choices={LEVELS} onChange={(x) => set('desktop', x)}/>
            {perm === 'default' && (
                <p className='muted'>
                    <FormattedMessage id='notify.permission_default' defaultMessage='Your browser has not been allowed to show notifications yet.'/>{' '}
                    <button type='button' className='link-btn' onClick={async () => setPerm(await requestPermission())}>
                        <FormattedMessage id='notify.allow' defaultMessage='Allow them'/>
                    </button>
                </p>
            )}
            {perm === 'denied' && <p className='muted' role='note'>
                <FormattedMessage id='notify.permission_denied' defaultMessage='Your browser blocks notifications from this site; allow them in its site settings.'/>
            </p>}
            <label className='check'>
                <input type='checkbox' checked={v.desktop_sound === 'true'} onChange={(e) => set('desktop_sound', e.target.checked ? 'true' : 'false')}/>
                <FormattedMessage id='notify.sound' defaultMessage='Play a sound with desktop notifications'/>
                <button type='button' className='link-btn' onClick={() => {
                    unlockAudio();
                    playSound();
                }}><FormattedMessage id='notify.sound_test' defaultMessage='Test'/></button>
            </label>
            {crt && (
                <label className='check'>
                    <input type='checkbox' checked={v.desktop_threads === 'all'} onChange={(e) => set('desktop_threads', e.target.checked ? 'all' : 'mention')}/>
                    <FormattedMessage id='notify.threads' defaultMessage='Notify me about replies to threads I follow'/>
                </label>
            )}
            <Radios legend={intl.formatMessage({id: 'notify.email', defaultMessage: 'Email notifications'})} name='email' value={v.email}
                choices={[
                    {value: 'true', label: intl.formatMessage({id: 'notify.email.away', defaultMessage: 'When I am offline or away'})},
                    {value: 'false', label: intl.formatMessage({id: 'notify.level.none', defaultMessage: 'Never'})},
                ]} onChange={(x) => set('email', x)}/>
            <Radios legend={intl.formatMessage({id: 'notify.push', defaultMessage: 'Mobile push notifications'})} name='push' value={v.push}
                choices={LEVELS} onChange={(x) => set('push', x)}/>
            <Radios legend={intl.formatMessage({id: 'notify.replies', defaultMessage: 'Reply notifications'})} name='comments' value={v.comments} choices={[
                {value: 'any', label: intl.formatMessage({id: 'notify.replies.any', defaultMessage: 'Threads I started or took part in'})},
                {value: 'root', label: intl.formatMessage({id: 'notify.replies.root', defaultMessage: 'Threads I started'})},
                {value: 'never', label: intl.formatMessage({id: 'notify.replies.never', defaultMessage: 'Only when I am mentioned'})},
            ]} onChange={(x) => set('comments', x)}/>
            <fieldset className='radio-group'>
                <legend className='field__label'><FormattedMessage id='notify.keys' defaultMessage='Words that count as mentions'/></legend>
                <label className='check'>
                    <input type='checkbox' checked disabled/> <FormattedMessage id='notify.keys.username' defaultMessage='My username (@{username})' values={{username: me.username}}/>
                </label>
                {me.first_name && (
                    <label className='check'>
                        <input type='checkbox' checked={v.first_name === 'true'} onChange={(e) => set('first_name', e.target.checked ? 'true' : 'false')}/>
                        <FormattedMessage id='notify.keys.first_name' defaultMessage='My first name ({name})' values={{name: me.first_name}}/>
                    </label>
                )}
                <label className='check'>
                    <input type='checkbox' checked={v.channel === 'true'} onChange={(e) => set('channel', e.target.checked ? 'true' : 'false')}/>
                    <FormattedMessage id='notify.keys.channel' defaultMessage='Channel-wide mentions (@channel, @all, @here)'/>
                </label>
                <label className='field'><span className='field__label'><FormattedMessage id='notify.keys.other' defaultMessage='Other words'/></span>
                    <input className='input' value={v.mention_keys} placeholder={intl.formatMessage({id: 'notify.keys.placeholder', defaultMessage: 'Separated by commas'})}
                        onChange={(e) => set('mention_keys', e.target.value)}/>
                </label>
            </fieldset>
            {receiptsOffered && (
                <label className='check'>
                    <input type='checkbox' checked={receipts} onChange={(e) => {
                        setMsg('');
                        setReceipts(e.target.checked);
                    }}/>
                    <FormattedMessage id='notify.receipts'
                        defaultMessage='Read receipts: show who has seen my messages in direct messages and small channels, and let others see when I have read theirs'/>
                </label>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}

const withDefault = (intl: IntlShape, label: string): Choice[] => [
    {value: 'default', label: intl.formatMessage({id: 'notify.use_default_of', defaultMessage: 'Use my default ({level})'}, {level: label})},
    ...levels(intl),
];

/** One channel's notification preferences: PUT /channels/{id}/members/{user_id}/notify_props. */
export function ChannelNotifications({channelId}: {channelId: string}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const member = useStore((s) => s.myMembers[channelId]);
    const channel = useStore((s) => s.channels[channelId]);
    const props = (member?.notify_props ?? {}) as unknown as Record<string, string>;
    const mine = (me.notify_props ?? {}) as unknown as Record<string, string>;
    const [v, setV] = useState(() => ({
        desktop: props.desktop || 'default',
        push: props.push || 'default',
        mark_unread: props.mark_unread || 'all',
        ignore_channel_mentions: props.ignore_channel_mentions || 'default',
    }));
    const [error, setError] = useState('');
    const label = (level: string | undefined) => levels(intl).find((l) => l.value === (level || 'mention'))?.label.toLowerCase() ?? level ?? '';
    const save = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        try {
            await client.updateChannelNotifyProps({channel_id: channelId, user_id: me.id, ...v} as never);
            update((s) => {
                const m = s.myMembers[channelId];
                return m ? {myMembers: {...s.myMembers, [channelId]: {...m, notify_props: {...m.notify_props, ...v}} as ChannelMembership}} : {};
            });
            close();
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
        }
    };
    const set = (k: keyof typeof v, value: string) => setV((cur) => ({...cur, [k]: value}));
    return (
        <Modal title={channel
            ? intl.formatMessage({id: 'notify.channel.title_for', defaultMessage: 'Notification preferences for {channel}'}, {channel: channel.display_name || channel.name})
            : intl.formatMessage({id: 'channel_header.notifications', defaultMessage: 'Notification preferences'})} onSubmit={save} footer={<>
            <span className='spacer'/>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='submit' className='btn btn--primary'><FormattedMessage id='common.save' defaultMessage='Save'/></button>
        </>}>
            <label className='check'>
                <input type='checkbox' checked={v.mark_unread === 'mention'} onChange={(e) => set('mark_unread', e.target.checked ? 'mention' : 'all')}/>
                <FormattedMessage id='notify.channel.mute' defaultMessage='Mute channel (no unread marker; only mentions notify)'/>
            </label>
            <Radios legend={intl.formatMessage({id: 'notify.desktop', defaultMessage: 'Desktop notifications'})} name='ch-desktop' value={v.desktop}
                choices={withDefault(intl, label(mine.desktop))} onChange={(x) => set('desktop', x)}/>
            <Radios legend={intl.formatMessage({id: 'notify.push', defaultMessage: 'Mobile push notifications'})} name='ch-push' value={v.push}
                choices={withDefault(intl, label(mine.push))} onChange={(x) => set('push', x)}/>
            {channel && channel.type !== 'D' && (
                <Radios legend={intl.formatMessage({id: 'notify.channel.ignore', defaultMessage: 'Ignore @channel, @all and @here'})} name='ch-ignore'
                    value={v.ignore_channel_mentions} choices={[
                    {value: 'default', label: intl.formatMessage({id: 'notify.use_default', defaultMessage: 'Use my default'})},
                    {value: 'on', label: intl.formatMessage({id: 'notify.channel.ignore_yes', defaultMessage: 'Yes, ignore them here'})},
                    {value: 'off', label: intl.formatMessage({id: 'notify.channel.ignore_no', defaultMessage: 'No'})},
                ]} onChange={(x) => set('ignore_channel_mentions', x)}/>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}
