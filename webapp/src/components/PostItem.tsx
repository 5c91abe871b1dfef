import {memo, useEffect, useMemo, useRef, useState} from 'react';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {FormattedMessage, useIntl} from 'react-intl';

import {deletePost, editPost, isSaved, markPostUnread, togglePin, toggleReaction, toggleSaved} from '../actions';
import {errorText} from '../client';
import {displayName} from '../lib/channels';
import {emojiFor, QUICK_REACTIONS} from '../lib/emoji';
import {useEmoji} from './useEmoji';
import {mentionsUser} from '../lib/markdown';
import {intl as currentIntl} from '../i18n';
import {formatDateTime, formatTime, groupReactions} from '../lib/posts';
import {paths} from '../lib/routes';
import {systemPostText} from '../lib/system_posts';
import {navigate} from '../router';
import {CRT, getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {StatusEmoji} from './CustomStatus';
import {EmojiPicker} from './EmojiPicker';
import {FileAttachments} from './Files';
import {Icon} from './Icon';
import {LinkPreview} from './LinkPreview';
import {Markdown, type MarkdownContext} from './Markdown';
import {CallPostCard} from './Calls';
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
    const intl = useIntl();
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
            setError(errorText(e, intl.formatMessage({id: 'post.edit.failed', defaultMessage: 'Could not save the edit.'})));
        }
    };
    return (
        <div className='edit-box'>
            <textarea
                ref={ref}
                className='edit-box__input'
                aria-label={intl.formatMessage({id: 'post.edit.label', defaultMessage: 'Edit message'})}
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
                <span><FormattedMessage id='post.edit.hint' defaultMessage='Enter to save · Esc to cancel'/></span>
                <span className='edit-box__buttons'>
                    <button className='btn btn--small btn--secondary' onClick={onDone}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
                    <button className='btn btn--small btn--primary' onClick={() => void save()}><FormattedMessage id='common.save' defaultMessage='Save'/></button>
                </span>
            </div>
        </div>
    );
}

export function confirmDelete(post: Post) {
    const intl = currentIntl();
    return {
        kind: 'confirm' as const,
        title: intl.formatMessage({id: 'post.delete.title', defaultMessage: 'Delete message'}),
        body: post.root_id ? intl.formatMessage({id: 'post.delete.reply', defaultMessage: 'Delete this reply? This cannot be undone.'})
            : intl.formatMessage({id: 'post.delete.root', defaultMessage: 'Delete this message? Replies in its thread will be deleted too. This cannot be undone.'}),
        action: intl.formatMessage({id: 'common.delete', defaultMessage: 'Delete'}),
        danger: true,
        onConfirm: () => deletePost(post.id),
    };
}

function Reactions({post, myId}: {post: Post; myId: string}) {
    const intl = useIntl();
    const users = useStore((s) => s.users);
    const groups = useMemo(() => groupReactions(post, myId), [post, myId]);
    const [picker, setPicker] = useState(false);
    useEmoji(groups.length > 0);
    if (!groups.length) {
        return null;
    }
    const addReaction = intl.formatMessage({id: 'post.add_reaction', defaultMessage: 'Add a reaction'});
    return (
        <div className='reactions' aria-label={intl.formatMessage({id: 'post.reactions', defaultMessage: 'Reactions'})}>
            {groups.map((g) => {
                const who = intl.formatList(g.userIds.map((id) => (id === myId
                    ? intl.formatMessage({id: 'post.reaction.you', defaultMessage: 'you'}) : displayName(users[id]))));
                return (
                    <button
                        key={g.name}
                        type='button'
                        className={`reaction${g.mine ? ' reaction--mine' : ''}`}
                        aria-pressed={g.mine}
                        aria-label={g.mine
                            ? intl.formatMessage({id: 'post.reaction.label_mine', defaultMessage: '{emoji} reaction by {who}. Remove yours'}, {emoji: g.name, who})
                            : intl.formatMessage({id: 'post.reaction.label', defaultMessage: '{emoji} reaction by {who}. Add yours'}, {emoji: g.name, who})}
                        title={intl.formatMessage({id: 'post.reaction.title', defaultMessage: '{who} reacted with :{emoji}:'}, {emoji: g.name, who})}
                        onClick={() => void toggleReaction(post, g.name)}
                    >
                        <span className='reaction__emoji'>{emojiFor(g.name) ?? `:${g.name}:`}</span>
                        <span className='reaction__count'>{intl.formatNumber(g.count)}</span>
                    </button>
                );
            })}
            <span className='reaction-add'>
                <button type='button' className='reaction reaction--add' aria-label={addReaction} title={addReaction}
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
    const intl = useIntl();
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
                <FormattedMessage id='thread.reply_count' defaultMessage='{count, plural, one {# reply} other {# replies}}' values={{count: post.reply_count}}/>
            </button>
            {post.last_reply_at ? (
                <span className='thread-summary__time'>
                    <FormattedMessage id='thread.last_reply' defaultMessage='Last reply {time}' values={{time: formatTime(post.last_reply_at, intl)}}/>
                </span>
            ) : null}
        </div>
    );
}

type Location = 'center' | 'rhs' | 'rhs-root' | 'search';

function PostItemImpl({post, continuation, team, location, highlight}: {
    post: Post; continuation: boolean; team: Team; location: Location; highlight?: boolean;
}) {
    const intl = useIntl();
    const me = useStore((s) => s.me!);
    const author = useStore((s) => s.users[post.user_id]);
    const editing = useStore((s) => s.editingPostId === post.id && (location === 'center' ? !s.rhs || s.rhs.kind !== 'thread' || !post.root_id : true));
    const crt = useStore(CRT);
    const saved = useStore((s) => isSaved(s.prefs, post.id));
    const [picker, setPicker] = useState(false);
    const mine = post.user_id === me.id;
    const system = post.type?.startsWith('system_');
    const deleted = post.delete_at > 0;
    // a call's post changes when the call ends (the plugin, not its author): no "(edited)" on its card
    const isCallPost = (post.type as string) === 'custom_calls';
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
            <article className='post post--ephemeral' data-post-id={post.id} aria-label={intl.formatMessage({id: 'post.ephemeral.label', defaultMessage: 'Only visible to you, at {time}'}, {time: formatTime(post.create_at, intl)})}>
                <div className='post__gutter'><span className='ephemeral-badge' aria-hidden='true'><Icon name='info' size={20}/></span></div>
                <div className='post__body'>
                    <div className='post__header'>
                        <span className='post__author'><FormattedMessage id='post.system' defaultMessage='System'/></span>
                        <span className='post__time'>{formatTime(post.create_at, intl)}</span>
                        <span className='post__only-you'><FormattedMessage id='post.ephemeral' defaultMessage='(Only visible to you)'/></span>
                    </div>
                    <div className='post__message'><Markdown text={post.message} ctx={ctx}/></div>
                </div>
            </article>
        );
    }

    if (system) {
        return (
            <div className='post post--system' data-post-id={post.id}>
                <div className='post__gutter'><span className='post__time-hover'>{formatTime(post.create_at, intl)}</span></div>
                <div className='post__body'><Markdown text={systemPostText(post, intl)} ctx={ctx}/></div>
            </div>
        );
    }

    const addReaction = intl.formatMessage({id: 'post.add_reaction', defaultMessage: 'Add a reaction'});
    const replyLabel = intl.formatMessage({id: 'post.reply', defaultMessage: 'Reply'});
    const actions = !deleted && (
        <div className='post__actions' role='toolbar' aria-label={intl.formatMessage({id: 'post.actions', defaultMessage: 'Message actions'})}>
            {QUICK_REACTIONS.slice(0, 3).map((r) => (
                <button key={r} type='button' className='icon-btn icon-btn--small post__quick' aria-label={intl.formatMessage({id: 'post.react_with', defaultMessage: 'React with {emoji}'}, {emoji: r})} title={`:${r}:`}
                    onClick={() => void toggleReaction(post, r)}>
                    <span aria-hidden='true'>{emojiFor(r)}</span>
                </button>
            ))}
            <span className='reaction-add'>
                <button type='button' className='icon-btn icon-btn--small' aria-label={addReaction} title={addReaction}
                    onClick={() => setPicker(!picker)}>
                    <Icon name='smile' size={16}/>
                </button>
                {picker && <EmojiPicker onPick={(emoji) => {
                    setPicker(false);
                    void toggleReaction(post, emoji);
                }} onClose={() => setPicker(false)}/>}
            </span>
            {location === 'center' && (
                <button type='button' className='icon-btn icon-btn--small' aria-label={intl.formatMessage({id: 'post.reply_in_thread', defaultMessage: 'Reply in thread'})} title={replyLabel}
                    onClick={() => update(() => ({rhs: {kind: 'thread', rootId: post.root_id || post.id}}))}>
                    <Icon name='reply' size={16}/>
                </button>
            )}
            <Menu
                label={intl.formatMessage({id: 'post.more_actions', defaultMessage: 'More actions'})}
                button={<Icon name='dots' size={16}/>}
                buttonClass='icon-btn icon-btn--small'
                align='right'
                items={[
                    ...(location !== 'center' ? [] : [{label: replyLabel, onSelect: () => update(() => ({rhs: {kind: 'thread' as const, rootId: post.root_id || post.id}}))}]),
                    ...(location === 'search' || mine ? [] : [{label: intl.formatMessage({id: 'post.mark_unread', defaultMessage: 'Mark as unread'}), onSelect: () => {
                        void markPostUnread(post).catch(() => update(() => ({toast: intl.formatMessage({id: 'post.mark_unread_failed', defaultMessage: 'Could not mark the message unread.'})})));
                    }}]),
                    {label: saved ? intl.formatMessage({id: 'post.unsave', defaultMessage: 'Remove from saved'})
                        : intl.formatMessage({id: 'post.save', defaultMessage: 'Save'}), onSelect: () => void toggleSaved(post)},
                    {label: post.is_pinned ? intl.formatMessage({id: 'post.unpin', defaultMessage: 'Unpin from channel'})
                        : intl.formatMessage({id: 'post.pin', defaultMessage: 'Pin to channel'}), onSelect: () => void togglePin(post)},
                    {label: intl.formatMessage({id: 'post.copy_link', defaultMessage: 'Copy link'}), onSelect: () => {
                        void navigator.clipboard?.writeText(window.location.origin + permalink);
                        update(() => ({toast: intl.formatMessage({id: 'post.link_copied', defaultMessage: 'Link copied.'})}));
                    }},
                    ...(mine ? [
                        {label: intl.formatMessage({id: 'common.edit', defaultMessage: 'Edit'}), onSelect: () => update(() => ({editingPostId: post.id}))},
                        {label: intl.formatMessage({id: 'common.delete', defaultMessage: 'Delete'}), danger: true, onSelect: () => update(() => ({modal: confirmDelete(post)}))},
                    ] : []),
                ]}
            />
        </div>
    );

    return (
        <article
            className={`post${continuation ? ' post--same' : ''}${mentioned ? ' post--mention' : ''}${highlight ? ' post--highlight' : ''}${post.is_pinned ? ' post--pinned' : ''}${editing ? ' post--editing' : ''}`}
            data-post-id={post.id}
            aria-label={deleted
                ? intl.formatMessage({id: 'post.label_deleted', defaultMessage: '{name} at {time} (deleted)'}, {name, time: formatTime(post.create_at, intl)})
                : intl.formatMessage({id: 'post.label', defaultMessage: '{name} at {time}'}, {name, time: formatTime(post.create_at, intl)})}
            tabIndex={-1}
        >
            <div className='post__gutter'>
                {continuation ? (
                    <a className='post__time-hover' href={permalink} onClick={(e) => {
                        e.preventDefault();
                        navigate(permalink);
                    }}>
                        <time dateTime={created.toISOString()}>{formatTime(post.create_at, intl)}</time>
                    </a>
                ) : (
                    <button type='button' className='post__avatar' aria-label={intl.formatMessage({id: 'post.profile_of', defaultMessage: 'Profile of {name}'}, {name})} onClick={(e) => openProfile(post.user_id, e.currentTarget)}>
                        <Avatar userId={post.user_id} size={36}/>
                    </button>
                )}
            </div>
            <div className='post__body'>
                {!continuation && (
                    <div className='post__header'>
                        <button type='button' className='post__author' onClick={(e) => openProfile(post.user_id, e.currentTarget)}>{name}</button>
                        {!post.props?.from_webhook && <StatusEmoji userId={post.user_id}/>}
                        {(author?.is_bot || post.props?.from_webhook === 'true') && <span className='pill pill--bot'><FormattedMessage id='post.bot' defaultMessage='BOT'/></span>}
                        <a className='post__time' href={permalink} title={formatDateTime(post.create_at, intl)} onClick={(e) => {
                            e.preventDefault();
                            navigate(permalink);
                        }}>
                            <time dateTime={created.toISOString()}>{formatTime(post.create_at, intl)}</time>
                        </a>
                        {post.is_pinned && <span className='post__pinned'><Icon name='pin' size={12}/> <FormattedMessage id='post.pinned' defaultMessage='Pinned'/></span>}
                        {saved && <span className='post__saved'><Icon name='bookmark' size={12}/> <FormattedMessage id='post.saved' defaultMessage='Saved'/></span>}
                    </div>
                )}
                {continuation && (post.is_pinned || saved) && (
                    <div className='post__header post__header--mini'>
                        {post.is_pinned && <span className='post__pinned'><Icon name='pin' size={12}/> <FormattedMessage id='post.pinned' defaultMessage='Pinned'/></span>}
                        {saved && <span className='post__saved'><Icon name='bookmark' size={12}/> <FormattedMessage id='post.saved' defaultMessage='Saved'/></span>}
                    </div>
                )}
                {inReplyTo && <div className='post__reply-note'><FormattedMessage id='post.replied' defaultMessage='replied to a thread'/></div>}
                {deleted ? (
                    <p className='post__deleted'><FormattedMessage id='post.deleted' defaultMessage='(message deleted)'/></p>
                ) : editing ? (
                    <EditBox post={post} onDone={() => update(() => ({editingPostId: ''}))}/>
                ) : (
                    <div className='post__message'>
                        {isCallPost ? <CallPostCard post={post}/> : <Markdown text={post.message} ctx={ctx}/>}
                        {post.edit_at > 0 && !isCallPost && <span className='post__edited' title={intl.formatMessage({id: 'post.edited_at', defaultMessage: 'Edited {time}'}, {time: formatDateTime(post.edit_at, intl)})}>
                            <FormattedMessage id='post.edited' defaultMessage='(edited)'/>
                        </span>}
                    </div>
                )}
                {!deleted && post.metadata?.files?.length ? <FileAttachments files={post.metadata.files}/> : null}
                {!deleted && !editing && <LinkPreview post={post}/>}
                {!deleted && <Reactions post={post} myId={me.id}/>}
                {showThreadSummary && <ThreadSummary post={post}/>}
            </div>
            {!editing && actions}
        </article>
    );
}

export const PostItem = memo(PostItemImpl);
