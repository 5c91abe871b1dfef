import {useEffect, useId, useRef, useState} from 'react';

import {addUsers, createPost} from '../actions';
import {client, errorText} from '../client';
import {applyCompletion, triggerAt, type Trigger} from '../lib/autocomplete';
import {displayName} from '../lib/channels';
import {searchEmoji} from '../lib/emoji';
import {sendTyping} from '../realtime';
import {CRT, getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {EmojiPicker} from './EmojiPicker';
import {Icon} from './Icon';

type Suggestion = {key: string; value: string; label: string; detail: string; userId?: string; char?: string};

const draftKey = (channelId: string, rootId: string) => `chinwag:draft:${channelId}:${rootId}`;

function loadDraft(key: string): string {
    try {
        return localStorage.getItem(key) ?? '';
    } catch {
        return '';
    }
}

function saveDraft(key: string, text: string): void {
    try {
        if (text) {
            localStorage.setItem(key, text);
        } else {
            localStorage.removeItem(key);
        }
    } catch {
        // storage full or disabled
    }
}

let channelCache: {teamId: string; at: number; list: Array<{name: string; display_name: string}>} | null = null;

async function suggest(t: Trigger, channelId: string, teamId: string): Promise<Suggestion[]> {
    if (t.kind === '@') {
        const res = await client.autocompleteUsers(t.term, teamId, channelId, {limit: 8});
        const users = [...(res.users ?? []), ...(res.out_of_channel ?? [])];
        addUsers(users);
        const out: Suggestion[] = users.slice(0, 8).map((u) => ({
            key: u.id,
            value: '@' + u.username,
            label: '@' + u.username,
            detail: [displayName(u, 'full_name') !== u.username ? displayName(u, 'full_name') : '', u.nickname ? `(${u.nickname})` : '']
                .filter(Boolean).join(' ') + ((res.out_of_channel ?? []).some((o) => o.id === u.id) ? ' · not in channel' : ''),
            userId: u.id,
        }));
        for (const special of [['here', 'Notifies everyone online in this channel'], ['channel', 'Notifies everyone in this channel'], ['all', 'Notifies everyone in this channel']]) {
            if (special[0].startsWith(t.term.toLowerCase())) {
                out.push({key: special[0], value: '@' + special[0], label: '@' + special[0], detail: special[1]});
            }
        }
        return out;
    }
    if (t.kind === '~') {
        if (!channelCache || channelCache.teamId !== teamId || Date.now() - channelCache.at > 30000) {
            const pub = await client.getChannels(teamId, 0, 200);
            const mine = Object.values(getState().channels).filter((c) => c.team_id === teamId && (c.type === 'O' || c.type === 'P'));
            const byName = new Map([...pub, ...mine].filter((c) => !c.delete_at).map((c) => [c.name, {name: c.name, display_name: c.display_name}]));
            channelCache = {teamId, at: Date.now(), list: [...byName.values()]};
        }
        const q = t.term.toLowerCase();
        return channelCache.list
            .filter((c) => c.name.includes(q) || c.display_name.toLowerCase().includes(q))
            .sort((a, b) => Number(!a.name.startsWith(q)) - Number(!b.name.startsWith(q)) || a.name.localeCompare(b.name))
            .slice(0, 8)
            .map((c) => ({key: c.name, value: '~' + c.name, label: c.display_name, detail: '~' + c.name}));
    }
    return searchEmoji(t.term, 8).map((e) => ({key: e.name, value: `:${e.name}:`, label: `:${e.name}:`, detail: '', char: e.char}));
}

export function Composer({channelId, rootId, placeholder}: {channelId: string; rootId: string; placeholder: string}) {
    const key = draftKey(channelId, rootId);
    const [text, setText] = useState(() => loadDraft(key));
    const [error, setError] = useState('');
    const [sending, setSending] = useState(false);
    const [trigger, setTrigger] = useState<Trigger | null>(null);
    const [items, setItems] = useState<Suggestion[]>([]);
    const [active, setActive] = useState(0);
    const [picker, setPicker] = useState(false);
    const ref = useRef<HTMLTextAreaElement>(null);
    const listId = useId();
    const teamId = useStore((s) => s.channels[channelId]?.team_id || Object.values(s.teams)[0]?.id || '');
    const maxLen = Number(useStore((s) => s.config.MaxPostSize) || 16383);

    const latest = useRef(text);
    latest.current = text;
    useEffect(() => {
        setText(loadDraft(key));
        setTrigger(null);
        // Flush the draft when leaving the channel/thread (the debounced save may not have run).
        return () => saveDraft(key, latest.current);
    }, [key]);

    useEffect(() => {
        const t = setTimeout(() => saveDraft(key, text), 250);
        return () => clearTimeout(t);
    }, [key, text]);

    useEffect(() => {
        const el = ref.current;
        if (!el) {
            return;
        }
        el.style.height = 'auto';
        el.style.height = Math.min(el.scrollHeight, 240) + 'px';
    }, [text]);

    useEffect(() => {
        if (window.matchMedia('(pointer: fine)').matches) {
            ref.current?.focus();
        }
    }, [channelId, rootId]);

    useEffect(() => {
        if (!trigger) {
            setItems([]);
            return;
        }
        let cancelled = false;
        const t = setTimeout(() => {
            suggest(trigger, channelId, teamId).then((list) => {
                if (!cancelled) {
                    setItems(list);
                    setActive(0);
                }
            }).catch(() => undefined);
        }, trigger.kind === ':' ? 0 : 120);
        return () => {
            cancelled = true;
            clearTimeout(t);
        };
    }, [trigger?.kind, trigger?.term, channelId, teamId]); // eslint-disable-line react-hooks/exhaustive-deps

    const updateTrigger = (value: string, caret: number) => setTrigger(triggerAt(value, caret));

    const complete = (s: Suggestion) => {
        if (!trigger) {
            return;
        }
        const next = applyCompletion(text, trigger, s.value);
        setText(next.text);
        setTrigger(null);
        requestAnimationFrame(() => {
            const el = ref.current;
            if (!el) {
                return;
            }
            el.focus();
            // Only if nothing was typed meanwhile: moving the caret back would split a fast typist's word.
            if (el.value === next.text) {
                el.setSelectionRange(next.caret, next.caret);
            }
        });
    };

    const send = async () => {
        const message = text.trim();
        if (!message || sending) {
            return;
        }
        if (message.length > maxLen) {
            setError(`Messages can be at most ${maxLen} characters long.`);
            return;
        }
        setSending(true);
        setError('');
        try {
            await createPost(channelId, message, rootId);
            setText('');
            saveDraft(key, '');
        } catch (e) {
            setError(errorText(e, 'Your message could not be sent.'));
        } finally {
            setSending(false);
            ref.current?.focus();
        }
    };

    const editLast = () => {
        const s = getState();
        const me = s.me!;
        const crt = CRT(s);
        const ids = rootId ? [rootId, ...(s.threadReplies[rootId] ?? [])] : s.feeds[channelId]?.ids ?? [];
        for (let i = ids.length - 1; i >= 0; i--) {
            const p = s.posts[ids[i]];
            if (p && p.user_id === me.id && !p.delete_at && !p.type && (rootId || !crt || !p.root_id)) {
                update(() => ({editingPostId: p.id}));
                return true;
            }
        }
        return false;
    };

    const open = Boolean(trigger && items.length);

    return (
        <div className='composer' id={rootId ? undefined : 'composer'}>
            {open && (
                <ul className='suggestions' id={listId} role='listbox' aria-label='Suggestions'>
                    {items.map((s, i) => (
                        <li
                            key={s.key}
                            id={`${listId}-${i}`}
                            role='option'
                            aria-selected={i === active}
                            className={`suggestions__item${i === active ? ' is-active' : ''}`}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                complete(s);
                            }}
                            onMouseEnter={() => setActive(i)}
                        >
                            {s.userId && <Avatar userId={s.userId} size={20}/>}
                            {s.char && <span className='suggestions__emoji' aria-hidden='true'>{s.char}</span>}
                            {!s.userId && !s.char && <Icon name={s.value.startsWith('~') ? 'hash' : 'at'} size={16}/>}
                            <span className='suggestions__label'>{s.label}</span>
                            <span className='suggestions__detail'>{s.detail}</span>
                        </li>
                    ))}
                </ul>
            )}
            <div className='composer__box'>
                <textarea
                    ref={ref}
                    className='composer__input'
                    rows={1}
                    value={text}
                    placeholder={placeholder}
                    aria-label={placeholder}
                    role='combobox'
                    aria-autocomplete='list'
                    aria-expanded={open}
                    aria-controls={open ? listId : undefined}
                    aria-activedescendant={open ? `${listId}-${active}` : undefined}
                    onChange={(e) => {
                        setText(e.target.value);
                        setError('');
                        updateTrigger(e.target.value, e.target.selectionStart);
                        if (e.target.value) {
                            sendTyping(channelId, rootId);
                        }
                    }}
                    onSelect={(e) => updateTrigger(e.currentTarget.value, e.currentTarget.selectionStart)}
                    onBlur={() => setTimeout(() => setTrigger(null), 150)}
                    onKeyDown={(e) => {
                        if (e.nativeEvent.isComposing) {
                            return;
                        }
                        if (open) {
                            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                                e.preventDefault();
                                const d = e.key === 'ArrowDown' ? 1 : -1;
                                setActive((active + d + items.length) % items.length);
                                return;
                            }
                            if (e.key === 'Enter' || e.key === 'Tab') {
                                e.preventDefault();
                                complete(items[active]);
                                return;
                            }
                            if (e.key === 'Escape') {
                                e.preventDefault();
                                setTrigger(null);
                                return;
                            }
                        }
                        if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
                            e.preventDefault();
                            void send();
                        } else if (e.key === 'ArrowUp' && !text && !e.shiftKey) {
                            if (editLast()) {
                                e.preventDefault();
                            }
                        }
                    }}
                />
                <div className='composer__tools'>
                    <span className='reaction-add'>
                        <button type='button' className='icon-btn icon-btn--small' aria-label='Insert emoji' title='Insert emoji'
                            onClick={() => setPicker(!picker)}>
                            <Icon name='smile'/>
                        </button>
                        {picker && <EmojiPicker onPick={(name) => {
                            setPicker(false);
                            const el = ref.current;
                            const pos = el?.selectionStart ?? text.length;
                            const insert = `:${name}: `;
                            setText(text.slice(0, pos) + insert + text.slice(pos));
                            requestAnimationFrame(() => {
                                el?.focus();
                                el?.setSelectionRange(pos + insert.length, pos + insert.length);
                            });
                        }} onClose={() => setPicker(false)}/>}
                    </span>
                    <button
                        type='button'
                        className='composer__send'
                        aria-label='Send'
                        title='Send (Enter)'
                        disabled={!text.trim() || sending}
                        onClick={() => void send()}
                    >
                        <Icon name='send'/>
                    </button>
                </div>
            </div>
            {error && <p className='form-error composer__error' role='alert'>{error}</p>}
            <p className='composer__hint' aria-hidden='true'><b>Enter</b> to send · <b>Shift+Enter</b> for a new line · <b>↑</b> to edit your last message</p>
        </div>
    );
}
