import {useEffect, useRef} from 'react';
import type {Team} from '@mattermost/types/teams';
import {FormattedMessage, useIntl} from 'react-intl';

import {openDirect} from '../actions';
import {displayName} from '../lib/channels';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {update, useStore} from '../store';
import {Avatar} from './Avatar';
import {StatusEmoji} from './CustomStatus';

export function ProfilePopover({team}: {team: Team}) {
    const intl = useIntl();
    const profile = useStore((s) => s.profile);
    const user = useStore((s) => (s.profile ? s.users[s.profile.userId] : undefined));
    const me = useStore((s) => s.me!);
    const ref = useRef<HTMLDivElement>(null);

    useEffect(() => {
        if (!profile) {
            return;
        }
        ref.current?.querySelector<HTMLElement>('button')?.focus();
        const onDoc = (e: MouseEvent) => {
            if (!ref.current?.contains(e.target as Node)) {
                update(() => ({profile: null}));
            }
        };
        const onKey = (e: KeyboardEvent) => {
            if (e.key === 'Escape') {
                update(() => ({profile: null}));
            }
        };
        document.addEventListener('mousedown', onDoc);
        document.addEventListener('keydown', onKey);
        return () => {
            document.removeEventListener('mousedown', onDoc);
            document.removeEventListener('keydown', onKey);
        };
    }, [profile]);

    if (!profile || !user) {
        return null;
    }
    const width = 280;
    const left = Math.max(8, Math.min(profile.x, window.innerWidth - width - 8));
    const top = Math.min(profile.y + 6, window.innerHeight - 260);
    const full = displayName(user, 'full_name');
    return (
        <div ref={ref} className='popover profile' role='dialog' aria-label={intl.formatMessage({id: 'post.profile_of', defaultMessage: 'Profile of {name}'}, {name: user.username})} style={{left, top, width}}>
            <div className='profile__head'>
                <Avatar userId={user.id} size={64}/>
                <div>
                    {full !== user.username && <div className='profile__name'>{full}</div>}
                    <div className='profile__username'>@{user.username}</div>
                    <StatusEmoji userId={user.id} withText/>
                    {user.position && <div className='muted'>{user.position}</div>}
                </div>
            </div>
            {user.nickname && <div className='profile__row'><span className='muted'><FormattedMessage id='account.nickname' defaultMessage='Nickname'/></span> {user.nickname}</div>}
            {user.email && <div className='profile__row'><span className='muted'><FormattedMessage id='profile.email' defaultMessage='Email'/></span> <a href={`mailto:${user.email}`}>{user.email}</a></div>}
            {user.id !== me.id && (
                <button className='btn btn--primary btn--block' onClick={async () => {
                    update(() => ({profile: null}));
                    await openDirect(user.id);
                    navigate(paths.dm(team.name, user.username));
                }}><FormattedMessage id='profile.message' defaultMessage='Message'/></button>
            )}
        </div>
    );
}
