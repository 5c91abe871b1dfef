// A team's integrations: incoming and outgoing webhooks, slash commands and bot accounts.
import {cloneElement, useCallback, useEffect, useId, useMemo, useState, type FormEvent, type ReactElement, type ReactNode} from 'react';
import type {Bot} from '@mattermost/types/bots';
import type {Command, IncomingWebhook, OutgoingWebhook} from '@mattermost/types/integrations';
import type {Team} from '@mattermost/types/teams';

import {client, errorText} from '../client';
import {incomingHookUrl, normaliseTrigger, splitList} from '../lib/integrations';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {update, useStore} from '../store';
import {Icon} from './Icon';

export const TABS = [
    {id: 'incoming_webhooks', label: 'Incoming webhooks'},
    {id: 'outgoing_webhooks', label: 'Outgoing webhooks'},
    {id: 'commands', label: 'Slash commands'},
    {id: 'bots', label: 'Bot accounts'},
] as const;
export type Tab = typeof TABS[number]['id'];

function useTeamChannels(teamId: string) {
    const channels = useStore((s) => s.channels);
    return useMemo(() => Object.values(channels)
        .filter((c) => c.team_id === teamId && (c.type === 'O' || c.type === 'P') && !c.delete_at)
        .sort((a, b) => a.display_name.localeCompare(b.display_name)), [channels, teamId]);
}

function confirmDelete(title: string, body: string, action: string, run: () => Promise<unknown>, reload: () => void) {
    update(() => ({modal: {kind: 'confirm', title, body, action, danger: true, onConfirm: async () => {
        await run();
        reload();
    }}}));
}

function CopyButton({text, label}: {text: string; label: string}) {
    const [done, setDone] = useState(false);
    return (
        <button type='button' className='btn btn--small btn--secondary' aria-label={label} onClick={() => {
            void navigator.clipboard?.writeText(text).catch(() => undefined);
            setDone(true);
            update(() => ({toast: 'Copied to the clipboard.'}));
            setTimeout(() => setDone(false), 2000);
        }}>
            <Icon name={done ? 'check' : 'copy'} size={14}/> {done ? 'Copied' : 'Copy'}
        </button>
    );
}

function Field({label, hint, children}: {label: string; hint?: string; children: ReactElement<{id?: string; 'aria-describedby'?: string}>}) {
    const id = useId();
    return (
        <div className='field'>
            <label className='field__label' htmlFor={id}>{label}</label>
            {cloneElement(children, {id, 'aria-describedby': hint ? `${id}-hint` : undefined})}
            {hint && <span className='field__hint' id={`${id}-hint`}>{hint}</span>}
        </div>
    );
}

function Section<T>({title, noun, intro, load, render, form, empty, off}: {
    title: string;
    noun: string;
    off?: string; // why new ones cannot be made (turned off in the server's configuration)
    intro: string;
    load: () => Promise<T[]>;
    render: (item: T, reload: () => void) => ReactNode;
    form: (onCreated: () => void, onCancel: () => void) => ReactNode;
    empty: string;
}) {
    const [items, setItems] = useState<T[] | null>(null);
    const [error, setError] = useState('');
    const [adding, setAdding] = useState(false);
    const reload = useCallback(() => {
        load().then((list) => {
            setItems(list);
            setError('');
        }).catch((e) => setError(errorText(e, 'Could not load the list.')));
    }, [load]);
    useEffect(reload, [reload]);
    return (
        <section className='integrations__section' aria-label={title}>
            <div className='integrations__section-head'>
                <p className='integrations__intro'>{intro}</p>
                {!adding && !off && <button type='button' className='btn btn--primary' onClick={() => setAdding(true)}>Add {noun}</button>}
            </div>
            {off && <p className='integrations__off' role='note'>{off}</p>}
            {adding && form(() => {
                setAdding(false);
                reload();
            }, () => setAdding(false))}
            {error && <p className='form-error' role='alert'>{error}</p>}
            {items === null && !error && <p className='integrations__empty' aria-busy='true'>Loading…</p>}
            {items && !items.length && <p className='integrations__empty'>{empty}</p>}
            {items && items.length > 0 && <ul className='integrations__list'>{items.map((it) => render(it, reload))}</ul>}
        </section>
    );
}

function FormShell({title, onSubmit, onCancel, error, busy, children}: {
    title: string; onSubmit: () => Promise<void>; onCancel: () => void; error: string; busy: boolean; children: ReactNode;
}) {
    return (
        <form className='integrations__form' aria-label={title} onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void onSubmit();
        }}>
            <h3>{title}</h3>
            {children}
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='integrations__form-buttons'>
                <button type='button' className='btn btn--secondary' onClick={onCancel}>Cancel</button>
                <button type='submit' className='btn btn--primary' disabled={busy}>Save</button>
            </div>
        </form>
    );
}

function useSubmit(run: () => Promise<void>) {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async () => {
        setBusy(true);
        setError('');
        try {
            await run();
        } catch (e) {
            setError(errorText(e, 'Could not save.'));
        } finally {
            setBusy(false);
        }
    };
    return {error, setError, busy, submit};
}

// ---------------------------------------------------------------- incoming webhooks

function IncomingForm({team, onCreated, onCancel}: {team: Team; onCreated: () => void; onCancel: () => void}) {
    const channels = useTeamChannels(team.id);
    const [channelId, setChannelId] = useState(() => channels.find((c) => c.name === 'town-square')?.id ?? channels[0]?.id ?? '');
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    const [username, setUsername] = useState('');
    const [locked, setLocked] = useState(false);
    const {error, busy, submit} = useSubmit(async () => {
        await client.createIncomingWebhook({channel_id: channelId, display_name: name.trim(), description: description.trim(),
            username: username.trim(), channel_locked: locked});
        onCreated();
    });
    return (
        <FormShell title='New incoming webhook' onSubmit={submit} onCancel={onCancel} error={error} busy={busy}>
            <Field label='Title'><input className='input' value={name} onChange={(e) => setName(e.target.value)} maxLength={64}/></Field>
            <Field label='Description'><input className='input' value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500}/></Field>
            <Field label='Channel' hint='Posts go to this channel unless the payload names another one.'>
                <select className='input' value={channelId} onChange={(e) => setChannelId(e.target.value)}>
                    {channels.map((c) => <option key={c.id} value={c.id}>{c.display_name}</option>)}
                </select>
            </Field>
            <label className='check'><input type='checkbox' checked={locked} onChange={(e) => setLocked(e.target.checked)}/> Lock to this channel</label>
            <Field label='Username' hint='Optional: shown instead of your name.'><input className='input' value={username} onChange={(e) => setUsername(e.target.value)} maxLength={64}/></Field>
        </FormShell>
    );
}

function IncomingSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const channels = useStore((s) => s.channels);
    const site = useStore((s) => s.config.SiteURL) || window.location.origin;
    const load = useCallback(async () => {
        const res = await client.getIncomingWebhooks(team.id, 0, 200);
        return Array.isArray(res) ? res : res.incoming_webhooks;
    }, [team.id]);
    return (
        <Section<IncomingWebhook>
            title='Incoming webhooks'
            off={config.EnableIncomingWebhooks === 'false' ? 'Incoming webhooks are turned off on this server.' : undefined}
            noun='incoming webhook'
            intro='Let other systems post to a channel by sending JSON to a secret URL.'
            load={load}
            empty='No incoming webhooks yet.'
            form={(done, cancel) => <IncomingForm team={team} onCreated={done} onCancel={cancel}/>}
            render={(h, reload) => {
                const url = incomingHookUrl(site, h.id);
                return (
                    <li key={h.id} className='integration'>
                        <div className='integration__main'>
                            <div className='integration__title'>{h.display_name || 'Untitled webhook'}</div>
                            {h.description && <div className='integration__desc'>{h.description}</div>}
                            <div className='integration__meta'>Posts to ~{channels[h.channel_id]?.name ?? h.channel_id}{h.channel_locked ? ' (locked)' : ''}</div>
                            <div className='integration__secret'><code>{url}</code><CopyButton text={url} label={`Copy URL of ${h.display_name || 'webhook'}`}/></div>
                        </div>
                        <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete ${h.display_name || 'webhook'}`}
                            onClick={() => confirmDelete('Delete incoming webhook', 'Anything still sending to its URL will fail. This cannot be undone.',
                                'Delete', () => client.removeIncomingWebhook(h.id), reload)}>Delete</button>
                    </li>
                );
            }}
        />
    );
}

// ---------------------------------------------------------------- outgoing webhooks

function OutgoingForm({team, onCreated, onCancel}: {team: Team; onCreated: () => void; onCancel: () => void}) {
    const channels = useTeamChannels(team.id).filter((c) => c.type === 'O');
    const [name, setName] = useState('');
    const [channelId, setChannelId] = useState('');
    const [words, setWords] = useState('');
    const [urls, setUrls] = useState('');
    const [json, setJson] = useState(false);
    const {error, setError, busy, submit} = useSubmit(async () => {
        const callbacks = splitList(urls, /\n/);
        if (!callbacks.length) {
            setError('At least one callback URL is required.');
            return;
        }
        await client.createOutgoingWebhook({team_id: team.id, channel_id: channelId, display_name: name.trim(),
            trigger_words: splitList(words), trigger_when: 0, callback_urls: callbacks,
            content_type: json ? 'application/json' : 'application/x-www-form-urlencoded'} as OutgoingWebhook);
        onCreated();
    });
    return (
        <FormShell title='New outgoing webhook' onSubmit={submit} onCancel={onCancel} error={error} busy={busy}>
            <Field label='Title'><input className='input' value={name} onChange={(e) => setName(e.target.value)} maxLength={64}/></Field>
            <Field label='Channel' hint='Optional when trigger words are set.'>
                <select className='input' value={channelId} onChange={(e) => setChannelId(e.target.value)}>
                    <option value=''>Any public channel</option>
                    {channels.map((c) => <option key={c.id} value={c.id}>{c.display_name}</option>)}
                </select>
            </Field>
            <Field label='Trigger words' hint='Comma separated; a message starting with one of them is sent on.'>
                <input className='input' value={words} onChange={(e) => setWords(e.target.value)}/>
            </Field>
            <Field label='Callback URLs' hint='One per line.'><textarea className='input' rows={2} value={urls} onChange={(e) => setUrls(e.target.value)}/></Field>
            <label className='check'><input type='checkbox' checked={json} onChange={(e) => setJson(e.target.checked)}/> Send JSON (otherwise form-encoded)</label>
        </FormShell>
    );
}

function OutgoingSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const channels = useStore((s) => s.channels);
    const load = useCallback(() => client.getOutgoingWebhooks('', team.id, 0, 200), [team.id]);
    return (
        <Section<OutgoingWebhook>
            title='Outgoing webhooks'
            off={config.EnableOutgoingWebhooks === 'false' ? 'Outgoing webhooks are turned off on this server.' : undefined}
            noun='outgoing webhook'
            intro='Send messages that start with a trigger word to another system, and post its answer.'
            load={load}
            empty='No outgoing webhooks yet.'
            form={(done, cancel) => <OutgoingForm team={team} onCreated={done} onCancel={cancel}/>}
            render={(h, reload) => (
                <li key={h.id} className='integration'>
                    <div className='integration__main'>
                        <div className='integration__title'>{h.display_name || 'Untitled webhook'}</div>
                        <div className='integration__meta'>
                            {h.channel_id ? `~${channels[h.channel_id]?.name ?? h.channel_id}` : 'Any public channel'}
                            {h.trigger_words?.length ? ` · triggers: ${h.trigger_words.join(', ')}` : ''}
                        </div>
                        <div className='integration__meta'>{h.callback_urls.join(', ')}</div>
                        <div className='integration__secret'>Token <code>{h.token}</code><CopyButton text={h.token} label={`Copy token of ${h.display_name || 'webhook'}`}/></div>
                    </div>
                    <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete ${h.display_name || 'webhook'}`}
                        onClick={() => confirmDelete('Delete outgoing webhook', 'Messages will no longer be sent on. This cannot be undone.',
                            'Delete', () => client.removeOutgoingWebhook(h.id), reload)}>Delete</button>
                </li>
            )}
        />
    );
}

// ---------------------------------------------------------------- slash commands

function CommandForm({team, onCreated, onCancel}: {team: Team; onCreated: () => void; onCancel: () => void}) {
    const [name, setName] = useState('');
    const [trigger, setTrigger] = useState('');
    const [url, setUrl] = useState('');
    const [method, setMethod] = useState<'P' | 'G'>('P');
    const [auto, setAuto] = useState(true);
    const [hint, setHint] = useState('');
    const [desc, setDesc] = useState('');
    const {error, setError, busy, submit} = useSubmit(async () => {
        const t = normaliseTrigger(trigger);
        if (t.error) {
            setError(t.error);
            return;
        }
        await client.addCommand({team_id: team.id, trigger: t.trigger, url: url.trim(), method, display_name: name.trim(),
            description: desc.trim(), auto_complete: auto, auto_complete_desc: desc.trim(), auto_complete_hint: hint.trim(),
            username: '', icon_url: ''} as Command);
        onCreated();
    });
    return (
        <FormShell title='New slash command' onSubmit={submit} onCancel={onCancel} error={error} busy={busy}>
            <Field label='Title'><input className='input' value={name} onChange={(e) => setName(e.target.value)} maxLength={64}/></Field>
            <Field label='Trigger word' hint='Typed after a slash, e.g. deploy for /deploy.'><input className='input' value={trigger} onChange={(e) => setTrigger(e.target.value)}/></Field>
            <Field label='Request URL'><input className='input' type='url' value={url} onChange={(e) => setUrl(e.target.value)} placeholder='https://'/></Field>
            <Field label='Request method'>
                <select className='input' value={method} onChange={(e) => setMethod(e.target.value as 'P' | 'G')}>
                    <option value='P'>POST</option>
                    <option value='G'>GET</option>
                </select>
            </Field>
            <label className='check'><input type='checkbox' checked={auto} onChange={(e) => setAuto(e.target.checked)}/> Show in autocomplete</label>
            <Field label='Autocomplete hint'><input className='input' value={hint} onChange={(e) => setHint(e.target.value)} placeholder='[arguments]'/></Field>
            <Field label='Description'><input className='input' value={desc} onChange={(e) => setDesc(e.target.value)}/></Field>
        </FormShell>
    );
}

function CommandSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getCustomTeamCommands(team.id), [team.id]);
    return (
        <Section<Command>
            title='Slash commands'
            off={config.EnableCommands === 'false' ? 'Custom slash commands are turned off on this server.' : undefined}
            noun='slash command'
            intro='Commands typed as /word in the message box, answered by your service.'
            load={load}
            empty='No slash commands yet.'
            form={(done, cancel) => <CommandForm team={team} onCreated={done} onCancel={cancel}/>}
            render={(c, reload) => (
                <li key={c.id} className='integration'>
                    <div className='integration__main'>
                        <div className='integration__title'>{c.display_name || `/${c.trigger}`} <code>/{c.trigger}</code></div>
                        {c.description && <div className='integration__desc'>{c.description}</div>}
                        <div className='integration__meta'>{c.method === 'G' ? 'GET' : 'POST'} {c.url}</div>
                        <div className='integration__secret'>Token <code>{c.token}</code><CopyButton text={c.token} label={`Copy token of /${c.trigger}`}/></div>
                    </div>
                    <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete /${c.trigger}`}
                        onClick={() => confirmDelete('Delete slash command', `/${c.trigger} will stop working. This cannot be undone.`,
                            'Delete', () => client.deleteCommand(c.id), reload)}>Delete</button>
                </li>
            )}
        />
    );
}

// ---------------------------------------------------------------- bots

function BotForm({onCreated, onCancel}: {onCreated: () => void; onCancel: () => void}) {
    const [username, setUsername] = useState('');
    const [name, setName] = useState('');
    const [desc, setDesc] = useState('');
    const {error, busy, submit} = useSubmit(async () => {
        await client.createBot({username: username.trim().toLowerCase(), display_name: name.trim(), description: desc.trim()});
        onCreated();
    });
    return (
        <FormShell title='New bot account' onSubmit={submit} onCancel={onCancel} error={error} busy={busy}>
            <Field label='Username' hint='Lowercase letters, digits, dots, dashes and underscores.'><input className='input' value={username} onChange={(e) => setUsername(e.target.value)} maxLength={64}/></Field>
            <Field label='Display name'><input className='input' value={name} onChange={(e) => setName(e.target.value)} maxLength={64}/></Field>
            <Field label='Description'><input className='input' value={desc} onChange={(e) => setDesc(e.target.value)} maxLength={1024}/></Field>
        </FormShell>
    );
}

function BotSection() {
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getBotsIncludeDeleted(0, 200), []);
    return (
        <Section<Bot>
            title='Bot accounts'
            off={config.EnableBotAccountCreation === 'false' ? 'Creating bot accounts is turned off on this server (System Console → Integrations → Bot Accounts).' : undefined}
            noun='bot account'
            intro='Accounts for scripts and integrations; they post with a BOT tag and log in with access tokens.'
            load={load}
            empty='No bot accounts yet.'
            form={(done, cancel) => <BotForm onCreated={done} onCancel={cancel}/>}
            render={(b, reload) => (
                <li key={b.user_id} className={`integration${b.delete_at ? ' integration--off' : ''}`}>
                    <div className='integration__main'>
                        <div className='integration__title'>{b.display_name || b.username} <span className='pill pill--bot'>BOT</span>{b.delete_at ? <span className='pill'>Disabled</span> : null}</div>
                        <div className='integration__meta'>@{b.username}</div>
                        {b.description && <div className='integration__desc'>{b.description}</div>}
                    </div>
                    {b.delete_at ? (
                        <button type='button' className='btn btn--small btn--secondary' aria-label={`Enable @${b.username}`}
                            onClick={() => void client.enableBot(b.user_id).then(reload)}>Enable</button>
                    ) : (
                        <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Disable @${b.username}`}
                            onClick={() => confirmDelete('Disable bot account', `@${b.username} will no longer be able to log in or post.`,
                                'Disable', () => client.disableBot(b.user_id), reload)}>Disable</button>
                    )}
                </li>
            )}
        />
    );
}

export function IntegrationsView({team, tab}: {team: Team; tab: Tab}) {
    useEffect(() => {
        document.title = `Integrations – ${team.display_name}`;
    }, [team.display_name]);
    const go = (t: Tab) => navigate(paths.integrations(team.name, t));
    return (
        <main className='center integrations' aria-label='Integrations'>
            <header className='channel-header'>
                <button className='icon-btn channel-header__menu' aria-label='Open channel list'
                    onClick={() => update(() => ({sidebarOpen: true}))}>
                    <Icon name='menu'/>
                </button>
                <div className='channel-header__main'>
                    <h1 className='channel-header__title'><Icon name='plug' size={16}/><span>Integrations</span></h1>
                </div>
            </header>
            <div className='integrations__body'>
                <div className='integrations__tabs' role='tablist' aria-label='Integration kinds'>
                    {TABS.map((t) => (
                        <button key={t.id} type='button' role='tab' aria-selected={tab === t.id}
                            className={`integrations__tab${tab === t.id ? ' is-active' : ''}`} onClick={() => go(t.id)}>{t.label}</button>
                    ))}
                </div>
                <div role='tabpanel' aria-label={TABS.find((t) => t.id === tab)?.label}>
                    {tab === 'incoming_webhooks' && <IncomingSection team={team}/>}
                    {tab === 'outgoing_webhooks' && <OutgoingSection team={team}/>}
                    {tab === 'commands' && <CommandSection team={team}/>}
                    {tab === 'bots' && <BotSection/>}
                </div>
            </div>
        </main>
    );
}
