import {useEffect, useId, useReducer, useRef, useState} from 'react';
import {defineMessages, FormattedMessage, type MessageDescriptor, useIntl} from 'react-intl';

import {addUsers, createPost} from '../actions';
import {client, errorText} from '../client';
import {draftKey, loadDraft, loadServerDrafts, saveDraft} from '../drafts';
import {intl} from '../i18n';
import {applyCompletion, triggerAt, type Trigger} from '../lib/autocomplete';
import {displayName} from '../lib/channels';
import {loadEmoji, searchEmoji} from '../lib/emoji';
import {applyFormat, formatForKey, type Format} from '../lib/format';
import {
    DROP_EVENT, filesFromClipboard, MAX_FILES, newClientId, queueBusy, queueReducer, readyFileIds, roomFor,
    uploadWithProgress, formatSize,
} from '../lib/files';
import {isSlashCommand, localPath, slashTrigger} from '../lib/slash';
import {sendTyping} from '../realtime';
import {navigate} from '../router';
import {CRT, getState, update, useStore} from '../store';
import {Avatar} from './Avatar';
import {EmojiPicker} from './EmojiPicker';
import {UploadList} from './Files';
import {Icon} from './Icon';

type Suggestion = {key: string; value: string; label: string; detail: string; userId?: string; char?: string};

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
                .filter(Boolean).join(' ') + ((res.out_of_channel ?? []).some((o) => o.id === u.id)
                ? ' · ' + intl().formatMessage({id: 'autocomplete.not_in_channel', defaultMessage: 'not in channel'}) : ''),
            userId: u.id,
        }));
        const everyone = intl().formatMessage({id: 'autocomplete.channel', defaultMessage: 'Notifies everyone in this channel'});
        const online = intl().formatMessage({id: 'autocomplete.here', defaultMessage: 'Notifies everyone online in this channel'});
        for (const special of [['here', online], ['channel', everyone], ['all', everyone]]) {
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
    await loadEmoji();
    return searchEmoji(t.term, 8).map((e) => ({key: e.name, value: `:${e.name}:`, label: `:${e.name}:`, detail: '', char: e.char}));
}

async function suggestCommands(input: string, channelId: string, teamId: string, rootId: string): Promise<Suggestion[]> {
    const list = await client.getCommandAutocompleteSuggestionsList(input, teamId, {channel_id: channelId, team_id: teamId, root_id: rootId});
    return list.slice(0, 20).map((c) => ({
        key: c.Suggestion || c.Complete,
        value: (c.Suggestion || '/' + c.Complete) + ' ',
        label: c.Suggestion || '/' + c.Complete,
        detail: [c.Hint, c.Description].filter(Boolean).join(' — '),
    }));
}

export function Composer({channelId, rootId, placeholder}: {channelId: string; rootId: string; placeholder: string}) {
    const intl = useIntl();
    const key = draftKey(channelId, rootId);
    const [text, setText] = useState(() => loadDraft(channelId, rootId));
    const [error, setError] = useState('');
    const [sending, setSending] = useState(false);
    const [trigger, setTrigger] = useState<Trigger | null>(null);
    const [items, setItems] = useState<Suggestion[]>([]);
    // Which lookup the items answer: a command's or a mention's/channel's (never shown for the other).
    const [itemsKind, setItemsKind] = useState<'slash' | 'trigger'>('trigger');
    const [active, setActive] = useState(0);
    const [picker, setPicker] = useState(false);
    const [slash, setSlash] = useState<string | null>(null);
    const [queue, dispatch] = useReducer(queueReducer, []);
    const aborts = useRef(new Map<string, () => void>());
    const fileInput = useRef<HTMLInputElement>(null);
    const ref = useRef<HTMLTextAreaElement>(null);
    const maxFileSize = Number(useStore((s) => s.config.MaxFileSize) || 0);
    const uploadsOn = useStore((s) => s.config.EnableFileAttachments !== 'false');
    const listId = useId();
    const teamId = useStore((s) => s.channels[channelId]?.team_id || Object.values(s.teams)[0]?.id || '');
    const maxLen = Number(useStore((s) => s.config.MaxPostSize) || 16383);

    const latest = useRef(text);
    latest.current = text;
    useEffect(() => {
        setText(loadDraft(channelId, rootId));
        setTrigger(null);
        // Flush the draft when leaving the channel/thread (the debounced save may not have run).
        return () => saveDraft(channelId, rootId, latest.current);
    }, [channelId, rootId]);

    useEffect(() => {
        const t = setTimeout(() => saveDraft(channelId, rootId, text), 500);
        return () => clearTimeout(t);
    }, [channelId, rootId, text]);

    // the draft changed on another device (server-side drafts), or the team's drafts were read from the server
    const changedElsewhere = useStore((s) => s.draftChanges[key] ?? 0);
    useEffect(() => {
        if (changedElsewhere) {
            setText(loadDraft(channelId, rootId));
        }
    }, [changedElsewhere, channelId, rootId]);
    const syncDrafts = useStore((s) => s.config.AllowSyncedDrafts === 'true');
    useEffect(() => {
        if (syncDrafts) {
            void loadServerDrafts(teamId);
        }
    }, [teamId, syncDrafts]);

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
                    setItemsKind('trigger');
                    setActive(0);
                }
            }).catch(() => undefined);
        }, trigger.kind === ':' ? 0 : 120);
        return () => {
            cancelled = true;
            clearTimeout(t);
        };
    }, [trigger?.kind, trigger?.term, channelId, teamId]); // eslint-disable-line react-hooks/exhaustive-deps

    useEffect(() => {
        if (slash === null) {
            return;
        }
        let cancelled = false;
        const t = setTimeout(() => {
            suggestCommands(slash, channelId, teamId, rootId).then((list) => {
                if (!cancelled) {
                    setItems(list);
                    setItemsKind('slash');
                    setActive(0);
                }
            }).catch(() => undefined);
        }, 80);
        return () => {
            cancelled = true;
            clearTimeout(t);
        };
    }, [slash, channelId, teamId, rootId]);

    const updateTrigger = (value: string, caret: number) => {
        const sl = slashTrigger(value, caret);
        const next = sl === null ? triggerAt(value, caret) : null;
        setSlash(sl);
        setTrigger(next);
        // Suggestions of another kind (commands, then a ~channel) must not be completed by Enter.
        if ((sl === null && !next) || (sl === null) !== (slash === null) || next?.kind !== trigger?.kind) {
            setItems([]);
        }
    };

    const addFiles = (files: File[]) => {
        if (!files.length) {
            return;
        }
        if (!uploadsOn) {
            setError(intl.formatMessage({id: 'composer.uploads_off', defaultMessage: 'File attachments are turned off on this server.'}));
            return;
        }
        const room = roomFor(queue);
        if (files.length > room) {
            setError(intl.formatMessage({id: 'composer.too_many_files', defaultMessage: 'You can attach at most {count, plural, one {# file} other {# files}} to a message.'}, {count: MAX_FILES}));
        } else {
            setError('');
        }
        for (const file of files.slice(0, room)) {
            const clientId = newClientId();
            const base = {clientId, name: file.name, size: file.size, loaded: 0};
            if (maxFileSize && file.size > maxFileSize) {
                dispatch({type: 'add', uploads: [{...base, status: 'error', error: intl.formatMessage({id: 'composer.file_too_large', defaultMessage: 'File is too large (the limit is {size}).'}, {size: formatSize(maxFileSize)})}]});
                continue;
            }
            dispatch({type: 'add', uploads: [{...base, status: 'uploading'}]});
            const up = uploadWithProgress(file, channelId, clientId, maxFileSize, (loaded) => dispatch({type: 'progress', clientId, loaded}));
            aborts.current.set(clientId, up.abort);
            up.promise
                .then((info) => dispatch({type: 'done', clientId, info}))
                .catch((e: unknown) => dispatch({type: 'error', clientId, error: errorText(e)}))
                .finally(() => aborts.current.delete(clientId));
        }
        ref.current?.focus();
    };
    const addFilesRef = useRef(addFiles);
    addFilesRef.current = addFiles;

    useEffect(() => {
        const onDrop = (e: Event) => {
            const d = (e as CustomEvent<{channelId: string; rootId: string; files: File[]}>).detail;
            if (d.channelId === channelId && d.rootId === rootId) {
                addFilesRef.current(d.files);
            }
        };
        window.addEventListener(DROP_EVENT, onDrop);
        return () => window.removeEventListener(DROP_EVENT, onDrop);
    }, [channelId, rootId]);

    useEffect(() => {
        const pending = aborts.current;
        return () => pending.forEach((abort) => abort());
    }, []);

    const removeUpload = (clientId: string) => {
        aborts.current.get(clientId)?.();
        dispatch({type: 'remove', clientId});
    };

    const complete = (s: Suggestion) => {
        if (slash !== null) {
            setText(s.value);
            setSlash(null);
            setItems([]);
            requestAnimationFrame(() => {
                const el = ref.current;
                el?.focus();
                el?.setSelectionRange(s.value.length, s.value.length);
            });
            return;
        }
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

    const runCommand = async (command: string) => {
        const res = await client.executeCommand(command, {channel_id: channelId, team_id: teamId, root_id: rootId});
        if (res.goto_location) {
            const local = localPath(res.goto_location, window.location.origin);
            if (local) {
                navigate(local);
            } else {
                window.open(res.goto_location, '_blank', 'noopener');
            }
        }
    };

    const send = async () => {
        const message = text.trim();
        const fileIds = readyFileIds(queue);
        if ((!message && !fileIds.length) || sending) {
            return;
        }
        if (queueBusy(queue)) {
            setError(intl.formatMessage({id: 'composer.uploads_busy', defaultMessage: 'Wait for the uploads to finish.'}));
            return;
        }
        if (message.length > maxLen) {
            setError(intl.formatMessage({id: 'composer.too_long', defaultMessage: 'Messages can be at most {count, plural, one {# character} other {# characters}} long.'}, {count: maxLen}));
            return;
        }
        setSending(true);
        setError('');
        // The box and its attachments empty as the message goes, not when the server has answered: what
        // is typed or attached while the message is on its way stays (clearing after the answer wiped it).
        // A failure puts the message and its files back if the box and the queue are still empty.
        const sent = text;
        const sentUploads = queue;
        setText('');
        setSlash(null);
        setTrigger(null);
        const command = isSlashCommand(message) && !fileIds.length;
        if (!command) {
            dispatch({type: 'clear'});
        }
        try {
            if (command) {
                await runCommand(message);
            } else {
                await createPost(channelId, message, rootId, fileIds);
            }
            saveDraft(channelId, rootId, latest.current);
        } catch (e) {
            setText((now) => (now === '' ? sent : now));
            if (!command) {
                dispatch({type: 'restore', uploads: sentUploads});
            }
            setError(errorText(e, intl.formatMessage({id: 'composer.send_failed', defaultMessage: 'Your message could not be sent.'})));
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

    // Command suggestions still showing for an earlier prefix are narrowed to what is typed now.
    // Stale items from the other kind of lookup (the command's, once an argument is typed) are not shown.
    const shown = slash !== null
        ? (itemsKind === 'slash' ? items.filter((i) => i.value.toLowerCase().startsWith(slash.toLowerCase())) : [])
        : (itemsKind === 'trigger' ? items : []);
    const open = Boolean((trigger || slash !== null) && shown.length);
    const act = Math.max(0, Math.min(active, shown.length - 1));
    const attachLabel = intl.formatMessage({id: 'composer.attach', defaultMessage: 'Attach files'});
    const emojiLabel = intl.formatMessage({id: 'composer.emoji', defaultMessage: 'Insert emoji'});
    const canSend = (Boolean(text.trim()) || readyFileIds(queue).length > 0) && !sending && !queueBusy(queue);

    const format = (f: Format) => {
        const el = ref.current;
        if (!el) {
            return;
        }
        const out = applyFormat(el.value, el.selectionStart, el.selectionEnd, f);
        setText(out.text);
        setError('');
        requestAnimationFrame(() => {
            el.focus();
            el.setSelectionRange(out.start, out.end);
        });
    };

    return (
        <div className='composer' id={rootId ? undefined : 'composer'}>
            {open && (
                <ul className='suggestions' id={listId} role='listbox' aria-label={intl.formatMessage({id: 'composer.suggestions', defaultMessage: 'Suggestions'})}>
                    {shown.map((s, i) => (
                        <li
                            key={s.key}
                            id={`${listId}-${i}`}
                            role='option'
                            aria-selected={i === act}
                            className={`suggestions__item${i === act ? ' is-active' : ''}`}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                complete(s);
                            }}
                            onMouseEnter={() => setActive(i)}
                        >
                            {s.userId && <Avatar userId={s.userId} size={20}/>}
                            {s.char && <span className='suggestions__emoji' aria-hidden='true'>{s.char}</span>}
                            {!s.userId && !s.char && (s.value.startsWith('/')
                                ? <span className='suggestions__slash' aria-hidden='true'>/</span>
                                : <Icon name={s.value.startsWith('~') ? 'hash' : 'at'} size={16}/>)}
                            <span className='suggestions__label'>{s.label}</span>
                            <span className='suggestions__detail'>{s.detail}</span>
                        </li>
                    ))}
                </ul>
            )}
            <div className='composer__box'>
                <UploadList queue={queue} onRemove={removeUpload}/>
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
                    aria-activedescendant={open ? `${listId}-${act}` : undefined}
                    onChange={(e) => {
                        setText(e.target.value);
                        setError('');
                        updateTrigger(e.target.value, e.target.selectionStart);
                        if (e.target.value) {
                            sendTyping(channelId, rootId);
                        }
                    }}
                    onSelect={(e) => updateTrigger(e.currentTarget.value, e.currentTarget.selectionStart)}
                    onBlur={() => setTimeout(() => {
                        // Not if the box has its focus back by now (a quick click elsewhere and back).
                        if (document.activeElement !== ref.current) {
                            setTrigger(null);
                            setSlash(null);
                        }
                    }, 150)}
                    onPaste={(e) => {
                        const files = filesFromClipboard(e.clipboardData);
                        if (files.length) {
                            e.preventDefault();
                            addFiles(files);
                        }
                    }}
                    onKeyDown={(e) => {
                        if (e.nativeEvent.isComposing) {
                            return;
                        }
                        if (open) {
                            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                                e.preventDefault();
                                const d = e.key === 'ArrowDown' ? 1 : -1;
                                setActive((act + d + shown.length) % shown.length);
                                return;
                            }
                            // A command typed out in full runs on Enter rather than completing to itself.
                            const typedInFull = slash !== null && shown.some((i) => i.value.trim() === text.trim());
                            if ((e.key === 'Enter' && !typedInFull) || e.key === 'Tab') {
                                e.preventDefault();
                                complete(shown[act]);
                                return;
                            }
                            if (e.key === 'Escape') {
                                e.preventDefault();
                                setTrigger(null);
                                setSlash(null);
                                return;
                            }
                        }
                        const f = formatForKey(e);
                        if (f) {
                            e.preventDefault();
                            format(f);
                        } else if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
                            e.preventDefault();
                            void send();
                        } else if (e.key === 'ArrowUp' && !text && !e.shiftKey) {
                            if (editLast()) {
                                e.preventDefault();
                            }
                        }
                    }}
                />
                <FormatBar onFormat={format}/>
                <div className='composer__tools'>
                    {uploadsOn && (
                        <>
                            <input ref={fileInput} type='file' multiple hidden aria-label={attachLabel}
                                data-testid={rootId ? 'file-input-rhs' : 'file-input'}
                                onChange={(e) => {
                                    addFiles(Array.from(e.target.files ?? []));
                                    e.target.value = '';
                                }}/>
                            <button type='button' className='icon-btn icon-btn--small' aria-label={attachLabel} title={attachLabel}
                                onClick={() => fileInput.current?.click()}>
                                <Icon name='paperclip'/>
                            </button>
                        </>
                    )}
                    <span className='reaction-add'>
                        <button type='button' className='icon-btn icon-btn--small' aria-label={emojiLabel} title={emojiLabel}
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
                        aria-label={intl.formatMessage({id: 'composer.send', defaultMessage: 'Send'})}
                        title={intl.formatMessage({id: 'composer.send_title', defaultMessage: 'Send (Enter)'})}
                        disabled={!canSend}
                        onClick={() => void send()}
                    >
                        <Icon name='send'/>
                    </button>
                </div>
            </div>
            {error && <p className='form-error composer__error' role='alert'>{error}</p>}
            <p className='composer__hint' aria-hidden='true'>
                <FormattedMessage
                    id='composer.hint'
                    defaultMessage='<b>Enter</b> to send · <b>Shift+Enter</b> for a new line · <b>↑</b> to edit your last message · <b>/</b> for commands'
                    values={{b: (chunks) => <b>{chunks}</b>}}
                />
            </p>
        </div>
    );
}

const FM: Record<Format, MessageDescriptor> = defineMessages({
    bold: {id: 'format.bold', defaultMessage: 'Bold'},
    italic: {id: 'format.italic', defaultMessage: 'Italic'},
    strike: {id: 'format.strike', defaultMessage: 'Strikethrough'},
    code: {id: 'format.code', defaultMessage: 'Code'},
    link: {id: 'format.link', defaultMessage: 'Link'},
    ul: {id: 'format.ul', defaultMessage: 'Bulleted list'},
    ol: {id: 'format.ol', defaultMessage: 'Numbered list'},
    quote: {id: 'format.quote', defaultMessage: 'Quote'},
});

const FORMATS: Array<{format: Format; icon: string; label: MessageDescriptor; keys: string}> = [
    {format: 'bold', icon: 'bold', label: FM.bold, keys: 'Ctrl+B'},
    {format: 'italic', icon: 'italic', label: FM.italic, keys: 'Ctrl+I'},
    {format: 'strike', icon: 'strike', label: FM.strike, keys: 'Ctrl+Shift+X'},
    {format: 'code', icon: 'code', label: FM.code, keys: 'Ctrl+Alt+C'},
    {format: 'link', icon: 'link', label: FM.link, keys: 'Ctrl+Alt+K'},
    {format: 'ul', icon: 'list-ul', label: FM.ul, keys: 'Ctrl+Shift+8'},
    {format: 'ol', icon: 'list-ol', label: FM.ol, keys: 'Ctrl+Shift+7'},
    {format: 'quote', icon: 'quote', label: FM.quote, keys: 'Ctrl+Shift+9'},
];

/** Markdown formatting buttons above the message box (they keep the box's focus and selection). */
function FormatBar({onFormat}: {onFormat: (f: Format) => void}) {
    const intl = useIntl();
    return (
        <div className='format-bar' role='toolbar' aria-label={intl.formatMessage({id: 'format.toolbar', defaultMessage: 'Formatting'})}>
            {FORMATS.map((f) => {
                const label = intl.formatMessage(f.label);
                return (
                    <button key={f.format} type='button' className={`format-bar__btn format-bar__btn--${f.format}`}
                        aria-label={label} title={`${label} (${f.keys})`}
                        onMouseDown={(e) => e.preventDefault()}
                        onClick={() => onFormat(f.format)}>
                        <Icon name={f.icon} size={16}/>
                    </button>
                );
            })}
        </div>
    );
}
