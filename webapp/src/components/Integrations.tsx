// A team's integrations: incoming and outgoing webhooks, slash commands and bot accounts.
import {cloneElement, useCallback, useEffect, useId, useMemo, useState, type FormEvent, type ReactElement, type ReactNode} from 'react';
import type {Bot} from '@mattermost/types/bots';
import type {Command, IncomingWebhook, OutgoingWebhook} from '@mattermost/types/integrations';
import type {Team} from '@mattermost/types/teams';

import {client, errorText} from '../client';
import {botSpec, commandSpec, incomingHookUrl, incomingSpec, outgoingSpec, type FormValues, type KindSpec} from '../lib/integrations';
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

function Section<T>({title, spec, team, off, intro, empty, load, idOf, labelOf, create, save, main, actions, itemClass}: {
    title: string;
    spec: KindSpec<T>;
    team: Team;
    off?: string; // why new ones cannot be made (turned off in the server's configuration)
    intro: string;
    empty: string;
    load: () => Promise<T[]>;
    idOf: (item: T) => string;
    labelOf: (item: T) => string; // names the item in button labels ("Edit …")
    create: (body: Partial<T>) => Promise<unknown>;
    save: (item: T, body: Partial<T>) => Promise<unknown>;
    main: (item: T) => ReactNode;
    actions: (item: T, reload: () => void) => ReactNode;
    itemClass?: (item: T) => string;
}) {
    const [items, setItems] = useState<T[] | null>(null);
    const [error, setError] = useState('');
    const [adding, setAdding] = useState(false);
    const [editing, setEditing] = useState('');
    const reload = useCallback(() => {
        load().then((list) => {
            setItems(list);
            setError('');
        }).catch((e) => setError(errorText(e, 'Could not load the list.')));
    }, [load]);
    useEffect(reload, [reload]);
    const done = () => {
        setAdding(false);
        setEditing('');
        reload();
    };
    return (
        <section className='integrations__section' aria-label={title}>
            <div className='integrations__section-head'>
                <p className='integrations__intro'>{intro}</p>
                {!adding && !off && <button type='button' className='btn btn--primary' onClick={() => setAdding(true)}>Add {spec.noun}</button>}
            </div>
            {off && <p className='integrations__off' role='note'>{off}</p>}
            {adding && <IntegrationForm spec={spec} team={team} item={null} submit={create} onDone={done} onCancel={() => setAdding(false)}/>}
            {error && <p className='form-error' role='alert'>{error}</p>}
            {items === null && !error && <p className='integrations__empty' aria-busy='true'>Loading…</p>}
            {items && !items.length && <p className='integrations__empty'>{empty}</p>}
            {items && items.length > 0 && (
                <ul className='integrations__list'>
                    {items.map((it) => (editing === idOf(it) ? (
                        <li key={idOf(it)} className='integration integration--editing'>
                            <IntegrationForm spec={spec} team={team} item={it} submit={(body) => save(it, body)} onDone={done} onCancel={() => setEditing('')}/>
                        </li>
                    ) : (
                        <li key={idOf(it)} className={`integration ${itemClass?.(it) ?? ''}`}>
                            <div className='integration__main'>{main(it)}</div>
                            <div className='integration__actions'>
                                <button type='button' className='btn btn--small btn--secondary' aria-label={`Edit ${labelOf(it)}`}
                                    onClick={() => setEditing(idOf(it))}>Edit</button>
                                {actions(it, reload)}
                            </div>
                        </li>
                    )))}
                </ul>
            )}
        </section>
    );
}

/** The one form for every kind of integration, new or existing, driven by its KindSpec. */
function IntegrationForm<T>({spec, team, item, submit, onDone, onCancel}: {
    spec: KindSpec<T>; team: Team; item: T | null; submit: (body: Partial<T>) => Promise<unknown>; onDone: () => void; onCancel: () => void;
}) {
    const channels = useTeamChannels(team.id);
    const [values, setValues] = useState<FormValues>(() => spec.values(item, channels));
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const title = `${item ? 'Edit' : 'New'} ${spec.noun}`;
    const set = (key: string, value: string | boolean) => setValues((v) => ({...v, [key]: value}));
    const onSubmit = async (e: FormEvent) => {
        e.preventDefault();
        const {body, error: invalid} = spec.payload(values, item, team.id);
        if (invalid) {
            setError(invalid);
            return;
        }
        setBusy(true);
        setError('');
        try {
            await submit(body);
            onDone();
        } catch (err) {
            setError(errorText(err, 'Could not save.'));
        } finally {
            setBusy(false);
        }
    };
    return (
        <form className='integrations__form' aria-label={title} onSubmit={onSubmit}>
            <h3>{title}</h3>
            {spec.fields(channels).map((f) => {
                if (f.kind === 'checkbox') {
                    return (
                        <label key={f.key} className='check'>
                            <input type='checkbox' checked={Boolean(values[f.key])} onChange={(e) => set(f.key, e.target.checked)}/> {f.label}
                        </label>
                    );
                }
                const common = {className: 'input', value: String(values[f.key] ?? ''), maxLength: f.maxLength, placeholder: f.placeholder};
                return (
                    <Field key={f.key} label={f.label} hint={f.hint}>
                        {f.kind === 'select' ? (
                            <select {...common} onChange={(e) => set(f.key, e.target.value)}>
                                {(f.options ?? []).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                            </select>
                        ) : f.kind === 'textarea' ? (
                            <textarea {...common} rows={2} onChange={(e) => set(f.key, e.target.value)}/>
                        ) : (
                            <input {...common} type={f.kind === 'url' ? 'url' : 'text'} onChange={(e) => set(f.key, e.target.value)}/>
                        )}
                    </Field>
                );
            })}
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='integrations__form-buttons'>
                <button type='button' className='btn btn--secondary' onClick={onCancel}>Cancel</button>
                <button type='submit' className='btn btn--primary' disabled={busy}>Save</button>
            </div>
        </form>
    );
}

function RegenButton({label, run, reload}: {label: string; run: () => Promise<unknown>; reload: () => void}) {
    return (
        <button type='button' className='btn btn--small btn--secondary' aria-label={`Regenerate token of ${label}`}
            onClick={() => update(() => ({modal: {kind: 'confirm', title: 'Regenerate token',
                body: `The old token of ${label} stops working at once; update the service that checks it.`, action: 'Regenerate',
                onConfirm: async () => {
                    await run();
                    reload();
                }}}))}>Regenerate token</button>
    );
}

// ---------------------------------------------------------------- incoming webhooks

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
            spec={incomingSpec as unknown as KindSpec<IncomingWebhook>}
            team={team}
            off={config.EnableIncomingWebhooks === 'false' ? 'Incoming webhooks are turned off on this server.' : undefined}
            intro='Let other systems post to a channel by sending JSON to a secret URL.'
            load={load}
            empty='No incoming webhooks yet.'
            idOf={(h) => h.id}
            labelOf={(h) => h.display_name || 'webhook'}
            create={(body) => client.createIncomingWebhook(body as IncomingWebhook)}
            save={(_, body) => client.updateIncomingWebhook(body as IncomingWebhook)}
            main={(h) => {
                const url = incomingHookUrl(site, h.id);
                return (
                    <>
                        <div className='integration__title'>{h.display_name || 'Untitled webhook'}</div>
                        {h.description && <div className='integration__desc'>{h.description}</div>}
                        <div className='integration__meta'>Posts to ~{channels[h.channel_id]?.name ?? h.channel_id}{h.channel_locked ? ' (locked)' : ''}{h.username ? ` as ${h.username}` : ''}</div>
                        <div className='integration__secret'><code>{url}</code><CopyButton text={url} label={`Copy URL of ${h.display_name || 'webhook'}`}/></div>
                    </>
                );
            }}
            actions={(h, reload) => (
                <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete ${h.display_name || 'webhook'}`}
                    onClick={() => confirmDelete('Delete incoming webhook', 'Anything still sending to its URL will fail. This cannot be undone.',
                        'Delete', () => client.removeIncomingWebhook(h.id), reload)}>Delete</button>
            )}
        />
    );
}

// ---------------------------------------------------------------- outgoing webhooks

function OutgoingSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const channels = useStore((s) => s.channels);
    const load = useCallback(() => client.getOutgoingWebhooks('', team.id, 0, 200), [team.id]);
    return (
        <Section<OutgoingWebhook>
            title='Outgoing webhooks'
            spec={outgoingSpec as unknown as KindSpec<OutgoingWebhook>}
            team={team}
            off={config.EnableOutgoingWebhooks === 'false' ? 'Outgoing webhooks are turned off on this server.' : undefined}
            intro='Send messages that start with a trigger word to another system, and post its answer.'
            load={load}
            empty='No outgoing webhooks yet.'
            idOf={(h) => h.id}
            labelOf={(h) => h.display_name || 'webhook'}
            create={(body) => client.createOutgoingWebhook(body as OutgoingWebhook)}
            save={(_, body) => client.updateOutgoingWebhook(body as OutgoingWebhook)}
            main={(h) => (
                <>
                    <div className='integration__title'>{h.display_name || 'Untitled webhook'}</div>
                    {h.description && <div className='integration__desc'>{h.description}</div>}
                    <div className='integration__meta'>
                        {h.channel_id ? `~${channels[h.channel_id]?.name ?? h.channel_id}` : 'Any public channel'}
                        {h.trigger_words?.length ? ` · triggers: ${h.trigger_words.join(', ')}` : ''}
                    </div>
                    <div className='integration__meta'>{h.callback_urls.join(', ')}</div>
                    <div className='integration__secret'>Token <code>{h.token}</code><CopyButton text={h.token} label={`Copy token of ${h.display_name || 'webhook'}`}/></div>
                </>
            )}
            actions={(h, reload) => (
                <>
                    <RegenButton label={h.display_name || 'webhook'} run={() => client.regenOutgoingHookToken(h.id)} reload={reload}/>
                    <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete ${h.display_name || 'webhook'}`}
                        onClick={() => confirmDelete('Delete outgoing webhook', 'Messages will no longer be sent on. This cannot be undone.',
                            'Delete', () => client.removeOutgoingWebhook(h.id), reload)}>Delete</button>
                </>
            )}
        />
    );
}

// ---------------------------------------------------------------- slash commands

function CommandSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getCustomTeamCommands(team.id), [team.id]);
    return (
        <Section<Command>
            title='Slash commands'
            spec={commandSpec as unknown as KindSpec<Command>}
            team={team}
            off={config.EnableCommands === 'false' ? 'Custom slash commands are turned off on this server.' : undefined}
            intro='Commands typed as /word in the message box, answered by your service.'
            load={load}
            empty='No slash commands yet.'
            idOf={(c) => c.id}
            labelOf={(c) => `/${c.trigger}`}
            create={(body) => client.addCommand(body as Command)}
            save={(_, body) => client.editCommand(body as Command)}
            main={(c) => (
                <>
                    <div className='integration__title'>{c.display_name || `/${c.trigger}`} <code>/{c.trigger}</code></div>
                    {c.description && <div className='integration__desc'>{c.description}</div>}
                    <div className='integration__meta'>{c.method === 'G' ? 'GET' : 'POST'} {c.url}</div>
                    <div className='integration__secret'>Token <code>{c.token}</code><CopyButton text={c.token} label={`Copy token of /${c.trigger}`}/></div>
                </>
            )}
            actions={(c, reload) => (
                <>
                    <RegenButton label={`/${c.trigger}`} run={() => client.regenCommandToken(c.id)} reload={reload}/>
                    <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Delete /${c.trigger}`}
                        onClick={() => confirmDelete('Delete slash command', `/${c.trigger} will stop working. This cannot be undone.`,
                            'Delete', () => client.deleteCommand(c.id), reload)}>Delete</button>
                </>
            )}
        />
    );
}

// ---------------------------------------------------------------- bots

function BotSection({team}: {team: Team}) {
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getBotsIncludeDeleted(0, 200), []);
    return (
        <Section<Bot>
            title='Bot accounts'
            spec={botSpec as unknown as KindSpec<Bot>}
            team={team}
            off={config.EnableBotAccountCreation === 'false' ? 'Creating bot accounts is turned off on this server (System Console → Integrations → Bot Accounts).' : undefined}
            intro='Accounts for scripts and integrations; they post with a BOT tag and log in with access tokens.'
            load={load}
            empty='No bot accounts yet.'
            idOf={(b) => b.user_id}
            labelOf={(b) => `@${b.username}`}
            itemClass={(b) => (b.delete_at ? 'integration--off' : '')}
            create={(body) => client.createBot(body as Bot)}
            save={(b, body) => client.patchBot(b.user_id, body as Bot)}
            main={(b) => (
                <>
                    <div className='integration__title'>{b.display_name || b.username} <span className='pill pill--bot'>BOT</span>{b.delete_at ? <span className='pill'>Disabled</span> : null}</div>
                    <div className='integration__meta'>@{b.username}</div>
                    {b.description && <div className='integration__desc'>{b.description}</div>}
                </>
            )}
            actions={(b, reload) => (b.delete_at ? (
                <button type='button' className='btn btn--small btn--secondary' aria-label={`Enable @${b.username}`}
                    onClick={() => void client.enableBot(b.user_id).then(reload)}>Enable</button>
            ) : (
                <button type='button' className='btn btn--small btn--danger-ghost' aria-label={`Disable @${b.username}`}
                    onClick={() => confirmDelete('Disable bot account', `@${b.username} will no longer be able to log in or post.`,
                        'Disable', () => client.disableBot(b.user_id), reload)}>Disable</button>
            ))}
        />
    );
}

export function IntegrationsView({team, tab}: {team: Team; tab: Tab}) {
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
                    {tab === 'bots' && <BotSection team={team}/>}
                </div>
            </div>
        </main>
    );
}
