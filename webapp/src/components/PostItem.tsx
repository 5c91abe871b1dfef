import {memo, useEffect, useMemo, useRef, useState} from 'react';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {deletePost, editPost, togglePin, toggleReaction} from '../actions';
import {errorText} from '../client';
import {displayName} from '../lib/channels';
import {emojiFor, QUICK_REACTIONS} from '../lib/emoji';
import {mentionsUser} from '../lib/markdown';
import {formatTime, groupReactions} from '../lib/posts';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {CRT, getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {EmojiPicker} from './EmojiPicker';
import {FileAttachments} from './Files';
import {Icon} from './Icon';
import {Markdown, type MarkdownContext} from './Markdown';
import {Menu} from './Menu';

export function openProfile(userId: string, el: HTMLElement) {
    const r = el.getBoundingClientRect();
    update(() => ({profile: {userId, x: r.left, y: r.bottom}}));
}

function openProfileByName(username: string, el: HTMLElement) {
    const user = Object.values(getState().users).find((u) => u.username === username);
    if (user) {
        openProfile(user.id, el);
    }
}

function EditBox({post, onDone}: {post: Post; onDone: () => void}) {
    const [text, setText] = useState(post.message);
    const [error, setError] = useState('');
    const ref = useRef<HTMLTextAreaElement>(null);
    useEffect(() => {
        const el = ref.current;
        if (el) {
            el.focus();
            el.setSelectionRange(el.value.length, el.value.length);
        }
    }, []);
    const save = async () => {
        const msg = text.trim();
        if (msg === post.message.trim()) {
            onDone();
            return;
        }
        if (!msg) {
            update(() => ({modal: confirmDelete(post)}));
            onDone();
            return;
        }
        try {
            await editPost(post.id, msg);
            onDone();
        } catch (e) {
            setError(errorText(e, 'Could not save the edit.'));
        }
    };
    return (
        <div className='edit-box'>
            <textarea
                ref={ref}
                className='edit-box__input'
                aria-label='Edit message'
                value={text}
                rows={Math.min(10, text.split('\n').length + 1)}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                        e.preventDefault();
                        void save();
                    } else if (e.key === 'Escape') {
                        e.preventDefault();
                        onDone();
                    }
                }}
            />
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='edit-box__hint'>
                <span>Enter to save · Esc to cancel</span>
                <span className='edit-box__buttons'>
                    <button className='btn btn--small btn--secondary' onClick={onDone}>Cancel</button>
                    <button className='btn btn--small btn--primary' onClick={() => void save()}>Save</button>
                </span>
            </div>
        </div>
    );
}

export function confirmDelete(post: Post) {
    return {
        kind: 'confirm' as const,
        title: 'Delete message',
        body: post.root_id ? 'Delete this reply? This cannot be undone.'
            : 'Delete this message? Replies in its thread will be deleted too. This cannot be undone.',
        action: 'Delete',
        danger: true,
        onConfirm: () => deletePost(post.id),
    };
}

function Reactions({post, myId}: {post: Post; myId: string}) {
    const users = useStore((s) => s.users);
    const groups = useMemo(() => groupReactions(post, myId), [post, myId]);
    const [picker, setPicker] = useState(false);
    if (!groups.length) {
        return null;
    }
    return (
        <div className='reactions' aria-label='Reactions'>
            {groups.map((g) => {
                const who = g.userIds.map((id) => (id === myId ? 'you' : displayName(users[id]))).join(', ');
                return (
                    <button
                        key={g.name}
                        type='button'
                        className={`reaction${g.mine ? ' reaction--mine' : ''}`}
                        aria-pressed={g.mine}
                        aria-label={`${g.name} reaction by ${who}. ${g.mine ? 'Remove' : 'Add'} yours`}
                        title={`${who} reacted with :${g.name}:`}
                        onClick={() => void toggleReaction(post, g.name)}
                    >
                        <span className='reaction__emoji'>{emojiFor(g.name) ?? `:${g.name}:`}</span>
                        <span className='reaction__count'>{g.count}</span>
                    </button>
                );
            })}
            <span className='reaction-add'>
                <button type='button' className='reaction reaction--add' aria-label='Add a reaction' title='Add a reaction'
                    onClick={() => setPicker(!picker)}>
                    <Icon name='smile' size={16}/>
                </button>
                {picker && <EmojiPicker onPick={(name) => {
                    setPicker(false);
                    void toggleReaction(post, name);
                }} onClose={() => setPicker(false)}/>}
            </span>
        </div>
    );
}

function ThreadSummary({post}: {post: Post}) {
    const participants = ((post.participants as UserProfile[] | null) ?? []).slice(0, 3);
    const thread = useStore((s) => s.threads[post.id]);
    const unread = thread?.unread_replies ?? 0;
    return (
        <div className='thread-summary'>
            <span className='thread-summary__avatars' aria-hidden='true'>
                {participants.map((u) => <Avatar key={u.id} userId={u.id} size={20}/>)}
            </span>
            <button
                type='button'
                className={`thread-summary__link${unread ? ' is-unread' : ''}`}
                onClick={() => update(() => ({rhs: {kind: 'thread', rootId: post.id}}))}
            >
                {post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}
            </button>
            {post.last_reply_at ? <span className='thread-summary__time'>Last reply {formatTime(post.last_reply_at)}</span> : null}
        </div>
    );
}

type Location = 'center' | 'rhs' | 'rhs-root' | 'search';

function PostItemImpl({post, continuation, team, location, highlight}: {
    post: Post; continuation: boolean; team: Team; location: Location; highlight?: boolean;
}) {
    const me = useStore((s) => s.me!);
    const author = useStore((s) => s.users[post.user_id]);
    const editing = useStore((s) => s.editingPostId === post.id && (location === 'center' ? !s.rhs || s.rhs.kind !== 'thread' || !post.root_id : true));
    const crt = useStore(CRT);
    const [picker, setPicker] = useState(false);
    const mine = post.user_id === me.id;
    const system = post.type?.startsWith('system_');
    const deleted = post.delete_at > 0;
    const mentioned = !mine && !system && mentionsUser(post.message, me.username);
    const ctx: MarkdownContext = useMemo(() => ({
        myUsername: me.username,
        knownUsers: (name) => Object.values(getState().users).some((u) => u.username === name),
        onMention: openProfileByName,
        onChannel: (name) => navigate(paths.channel(team.name, name)),
    }), [me.username, team.name]);
    const name = post.props?.override_username as string | undefined ?? displayName(author);
    const created = new Date(post.create_at);
    const permalink = paths.permalink(team.name, post.id);
    const showThreadSummary = location === 'center' && crt && !post.root_id && post.reply_count > 0;
    const inReplyTo = location === 'center' && !crt && post.root_id;

    if (post.type === 'system_ephemeral') {
        return (
            <article className='post post--ephemeral' data-post-id={post.id} aria-label={`Only visible to you, at ${formatTime(post.create_at)}`}>
                <div className='post__gutter'><span className='ephemeral-badge' aria-hidden='true'><Icon name='info' size={20}/></span></div>
                <div className='post__body'>
                    <div className='post__header'>
                        <span className='post__author'>System</span>
                        <span className='post__time'>{formatTime(post.create_at)}</span>
                        <span className='post__only-you'>(Only visible to you)</span>
                    </div>
                    <div className='post__message'><Markdown text={post.message} ctx={ctx}/></div>
                </div>
            </article>
        );
    }

    if (system) {
        return (
            <div className='post post--system' data-post-id={post.id}>
                <div className='post__gutter'><span className='post__time-hover'>{formatTime(post.create_at)}</span></div>
                <div className='post__body'><Markdown text={post.message} ctx={ctx}/></div>
            </div>
        );
    }

    const actions = !deleted && (
        <div className='post__actions' role='toolbar' aria-label='Message actions'>
            {QUICK_REACTIONS.slice(0, 3).map((r) => (
                <button key={r} type='button' className='icon-btn icon-btn--small post__quick' aria-label={`React with ${r}`} title={`:${r}:`}
                    onClick={() => void toggleReaction(post, r)}>
                    <span aria-hidden='true'>{emojiFor(r)}</span>
                </button>
            ))}
            <span className='reaction-add'>
                <button type='button' className='icon-btn icon-btn--small' aria-label='Add a reaction' title='Add a reaction'
                    onClick={() => setPicker(!picker)}>
                    <Icon name='smile' size={16}/>
                </button>
                {picker && <EmojiPicker onPick={(emoji) => {
                    setPicker(false);
                    void toggleReaction(post, emoji);
                }} onClose={() => setPicker(false)}/>}
            </span>
            {location === 'center' && (
                <button type='button' className='icon-btn icon-btn--small' aria-label='Reply in thread' title='Reply'
                    onClick={() => update(() => ({rhs: {kind: 'thread', rootId: post.root_id || post.id}}))}>
                    <Icon name='reply' size={16}/>
                </button>
            )}
            <Menu
                label='More actions'
                button={<Icon name='dots' size={16}/>}
                buttonClass='icon-btn icon-btn--small'
                align='right'
                items={[
                    ...(location !== 'center' ? [] : [{label: 'Reply', onSelect: () => update(() => ({rhs: {kind: 'thread' as const, rootId: post.root_id || post.id}}))}]),
                    {label: post.is_pinned ? 'Unpin from channel' : 'Pin to channel', onSelect: () => void togglePin(post)},
                    {label: 'Copy link', onSelect: () => {
                        void navigator.clipboard?.writeText(window.location.origin + permalink);
                        update(() => ({toast: 'Link copied.'}));
                    }},
                    ...(mine ? [
                        {label: 'Edit', onSelect: () => update(() => ({editingPostId: post.id}))},
                        {label: 'Delete', danger: true, onSelect: () => update(() => ({modal: confirmDelete(post)}))},
                    ] : []),
                ]}
            />
        </div>
    );

    return (
        <article
            className={`post${continuation ? ' post--same' : ''}${mentioned ? ' post--mention' : ''}${highlight ? ' post--highlight' : ''}${post.is_pinned ? ' post--pinned' : ''}${editing ? ' post--editing' : ''}`}
            data-post-id={post.id}
            aria-label={`${name} at ${formatTime(post.create_at)}${deleted ? ' (deleted)' : ''}`}
            tabIndex={-1}
        >
            <div className='post__gutter'>
                {continuation ? (
                    <a className='post__time-hover' href={permalink} onClick={(e) => {
                        e.preventDefault();
                        navigate(permalink);
                    }}>
                        <time dateTime={created.toISOString()}>{formatTime(post.create_at)}</time>
                    </a>
                ) : (
                    <button type='button' className='post__avatar' aria-label={`Profile of ${name}`} onClick={(e) => openProfile(post.user_id, e.currentTarget)}>
                        <Avatar userId={post.user_id} size={36}/>
                    </button>
                )}
            </div>
            <div className='post__body'>
                {!continuation && (
                    <div className='post__header'>
                        <button type='button' className='post__author' onClick={(e) => openProfile(post.user_id, e.currentTarget)}>{name}</button>
                        {(author?.is_bot || post.props?.from_webhook === 'true') && <span className='pill pill--bot'>BOT</span>}
                        <a className='post__time' href={permalink} title={created.toLocaleString()} onClick={(e) => {
                            e.preventDefault();
                            navigate(permalink);
                        }}>
                            <time dateTime={created.toISOString()}>{formatTime(post.create_at)}</time>
                        </a>
                        {post.is_pinned && <span className='post__pinned'><Icon name='pin' size={12}/> Pinned</span>}
                    </div>
                )}
                {continuation && post.is_pinned && <div className='post__header post__header--mini'><span className='post__pinned'><Icon name='pin' size={12}/> Pinned</span></div>}
                {inReplyTo && <div className='post__reply-note'>replied to a thread</div>}
                {deleted ? (
                    <p className='post__deleted'>(message deleted)</p>
                ) : editing ? (
                    <EditBox post={post} onDone={() => update(() => ({editingPostId: ''}))}/>
                ) : (
                    <div className='post__message'>
                        <Markdown text={post.message} ctx={ctx}/>
                        {post.edit_at > 0 && <span className='post__edited' title={`Edited ${new Date(post.edit_at).toLocaleString()}`}>(edited)</span>}
                    </div>
                )}
                {!deleted && post.metadata?.files?.length ? <FileAttachments files={post.metadata.files}/> : null}
                {!deleted && <Reactions post={post} myId={me.id}/>}
                {showThreadSummary && <ThreadSummary post={post}/>}
            </div>
            {!editing && actions}
        </article>
    );
}

export const PostItem = memo(PostItemImpl);
