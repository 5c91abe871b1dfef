// A team's integrations: incoming and outgoing webhooks, slash commands and bot accounts.
import {cloneElement, useCallback, useEffect, useId, useMemo, useState, type FormEvent, type ReactElement, type ReactNode} from 'react';
import type {Bot} from '@mattermost/types/bots';
import type {Command, IncomingWebhook, OutgoingWebhook} from '@mattermost/types/integrations';
import type {Team} from '@mattermost/types/teams';
import {defineMessages, FormattedMessage, useIntl, type MessageDescriptor} from 'react-intl';

import {client, errorText} from '../client';
import {botSpec, commandSpec, incomingHookUrl, incomingSpec, outgoingSpec, type FormValues, type KindSpec} from '../lib/integrations';
import {paths} from '../lib/routes';
import {navigate} from '../router';
import {update, useStore} from '../store';
import {Icon} from './Icon';

const M = defineMessages({
    incoming_webhooks: {id: 'integrations.tab.incoming', defaultMessage: 'Incoming webhooks'},
    outgoing_webhooks: {id: 'integrations.tab.outgoing', defaultMessage: 'Outgoing webhooks'},
    commands: {id: 'integrations.tab.commands', defaultMessage: 'Slash commands'},
    bots: {id: 'integrations.tab.bots', defaultMessage: 'Bot accounts'},
    add: {id: 'integrations.add', defaultMessage: '{kind, select, incoming {Add incoming webhook} outgoing {Add outgoing webhook} command {Add slash command} other {Add bot account}}'},
    new: {id: 'integrations.new', defaultMessage: '{kind, select, incoming {New incoming webhook} outgoing {New outgoing webhook} command {New slash command} other {New bot account}}'},
    edit: {id: 'integrations.edit', defaultMessage: '{kind, select, incoming {Edit incoming webhook} outgoing {Edit outgoing webhook} command {Edit slash command} other {Edit bot account}}'},
    editItem: {id: 'integrations.edit_item', defaultMessage: 'Edit {name}'},
    deleteItem: {id: 'integrations.delete_item', defaultMessage: 'Delete {name}'},
    webhook: {id: 'integrations.webhook', defaultMessage: 'webhook'},
    untitled: {id: 'integrations.untitled', defaultMessage: 'Untitled webhook'},
    copyUrl: {id: 'integrations.copy_url', defaultMessage: 'Copy URL of {name}'},
    copyToken: {id: 'integrations.copy_token', defaultMessage: 'Copy token of {name}'},
    token: {id: 'integrations.token', defaultMessage: 'Token {token}'},
}) as unknown as Record<string, MessageDescriptor>;

export const TABS = [
    {id: 'incoming_webhooks'},
    {id: 'outgoing_webhooks'},
    {id: 'commands'},
    {id: 'bots'},
] as const;
export type Tab = typeof TABS[number]['id'];

function useTeamChannels(teamId: string) {
    const intl = useIntl();
    const channels = useStore((s) => s.channels);
    return useMemo(() => Object.values(channels)
        .filter((c) => c.team_id === teamId && (c.type === 'O' || c.type === 'P') && !c.delete_at)
        .sort((a, b) => a.display_name.localeCompare(b.display_name, intl.locale)), [channels, teamId, intl.locale]);
}

function confirmDelete(title: string, body: string, action: string, run: () => Promise<unknown>, reload: () => void) {
    update(() => ({modal: {kind: 'confirm', title, body, action, danger: true, onConfirm: async () => {
        await run();
        reload();
    }}}));
}

function CopyButton({text, label}: {text: string; label: string}) {
    const intl = useIntl();
    const [done, setDone] = useState(false);
    return (
        <button type='button' className='btn btn--small btn--secondary' aria-label={label} onClick={() => {
            void navigator.clipboard?.writeText(text).catch(() => undefined);
            setDone(true);
            update(() => ({toast: intl.formatMessage({id: 'integrations.copied_toast', defaultMessage: 'Copied to the clipboard.'})}));
            setTimeout(() => setDone(false), 2000);
        }}>
            <Icon name={done ? 'check' : 'copy'} size={14}/> {done
                ? <FormattedMessage id='integrations.copied' defaultMessage='Copied'/> : <FormattedMessage id='integrations.copy' defaultMessage='Copy'/>}
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
    const intl = useIntl();
    const [items, setItems] = useState<T[] | null>(null);
    const [error, setError] = useState('');
    const [adding, setAdding] = useState(false);
    const [editing, setEditing] = useState('');
    const reload = useCallback(() => {
        load().then((list) => {
            setItems(list);
            setError('');
        }).catch((e) => setError(errorText(e, intl.formatMessage({id: 'integrations.load_failed', defaultMessage: 'Could not load the list.'}))));
    }, [load]); // eslint-disable-line react-hooks/exhaustive-deps
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
                {!adding && !off && <button type='button' className='btn btn--primary' onClick={() => setAdding(true)}>{intl.formatMessage(M.add, {kind: spec.kind})}</button>}
            </div>
            {off && <p className='integrations__off' role='note'>{off}</p>}
            {adding && <IntegrationForm spec={spec} team={team} item={null} submit={create} onDone={done} onCancel={() => setAdding(false)}/>}
            {error && <p className='form-error' role='alert'>{error}</p>}
            {items === null && !error && <p className='integrations__empty' aria-busy='true'><FormattedMessage id='common.loading_ellipsis' defaultMessage='Loading…'/></p>}
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
                                <button type='button' className='btn btn--small btn--secondary' aria-label={intl.formatMessage(M.editItem, {name: labelOf(it)})}
                                    onClick={() => setEditing(idOf(it))}><FormattedMessage id='common.edit' defaultMessage='Edit'/></button>
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
    const intl = useIntl();
    const channels = useTeamChannels(team.id);
    const [values, setValues] = useState<FormValues>(() => spec.values(item, channels));
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const title = intl.formatMessage(item ? M.edit : M.new, {kind: spec.kind});
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
            setError(errorText(err, intl.formatMessage({id: 'account.save_failed', defaultMessage: 'Could not save.'})));
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
                <button type='button' className='btn btn--secondary' onClick={onCancel}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
                <button type='submit' className='btn btn--primary' disabled={busy}><FormattedMessage id='common.save' defaultMessage='Save'/></button>
            </div>
        </form>
    );
}

function RegenButton({label, run, reload}: {label: string; run: () => Promise<unknown>; reload: () => void}) {
    const intl = useIntl();
    return (
        <button type='button' className='btn btn--small btn--secondary'
            aria-label={intl.formatMessage({id: 'integrations.regen_label', defaultMessage: 'Regenerate token of {name}'}, {name: label})}
            onClick={() => update(() => ({modal: {kind: 'confirm',
                title: intl.formatMessage({id: 'integrations.regen', defaultMessage: 'Regenerate token'}),
                body: intl.formatMessage({id: 'integrations.regen_body', defaultMessage: 'The old token of {name} stops working at once; update the service that checks it.'}, {name: label}),
                action: intl.formatMessage({id: 'integrations.regen_action', defaultMessage: 'Regenerate'}),
                onConfirm: async () => {
                    await run();
                    reload();
                }}}))}><FormattedMessage id='integrations.regen' defaultMessage='Regenerate token'/></button>
    );
}

// ---------------------------------------------------------------- incoming webhooks

function IncomingSection({team}: {team: Team}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const channels = useStore((s) => s.channels);
    const site = useStore((s) => s.config.SiteURL) || window.location.origin;
    const load = useCallback(async () => {
        const res = await client.getIncomingWebhooks(team.id, 0, 200);
        return Array.isArray(res) ? res : res.incoming_webhooks;
    }, [team.id]);
    return (
        <Section<IncomingWebhook>
            title={intl.formatMessage(M.incoming_webhooks)}
            spec={incomingSpec as unknown as KindSpec<IncomingWebhook>}
            team={team}
            off={config.EnableIncomingWebhooks === 'false'
                ? intl.formatMessage({id: 'integrations.incoming.off', defaultMessage: 'Incoming webhooks are turned off on this server.'}) : undefined}
            intro={intl.formatMessage({id: 'integrations.incoming.intro', defaultMessage: 'Let other systems post to a channel by sending JSON to a secret URL.'})}
            load={load}
            empty={intl.formatMessage({id: 'integrations.incoming.empty', defaultMessage: 'No incoming webhooks yet.'})}
            idOf={(h) => h.id}
            labelOf={(h) => h.display_name || intl.formatMessage(M.webhook)}
            create={(body) => client.createIncomingWebhook(body as IncomingWebhook)}
            save={(_, body) => client.updateIncomingWebhook(body as IncomingWebhook)}
            main={(h) => {
                const url = incomingHookUrl(site, h.id);
                return (
                    <>
                        <div className='integration__title'>{h.display_name || intl.formatMessage(M.untitled)}</div>
                        {h.description && <div className='integration__desc'>{h.description}</div>}
                        <div className='integration__meta'>
                            <FormattedMessage id='integrations.incoming.meta'
                                defaultMessage='Posts to ~{channel}{locked, select, yes { (locked)} other {}}{username, select, none {} other { as {username}}}'
                                values={{channel: channels[h.channel_id]?.name ?? h.channel_id, locked: h.channel_locked ? 'yes' : 'no', username: h.username || 'none'}}/>
                        </div>
                        <div className='integration__secret'><code>{url}</code>
                            <CopyButton text={url} label={intl.formatMessage(M.copyUrl, {name: h.display_name || intl.formatMessage(M.webhook)})}/></div>
                    </>
                );
            }}
            actions={(h, reload) => (
                <button type='button' className='btn btn--small btn--danger-ghost'
                    aria-label={intl.formatMessage(M.deleteItem, {name: h.display_name || intl.formatMessage(M.webhook)})}
                    onClick={() => confirmDelete(intl.formatMessage({id: 'integrations.incoming.delete', defaultMessage: 'Delete incoming webhook'}),
                        intl.formatMessage({id: 'integrations.incoming.delete_body', defaultMessage: 'Anything still sending to its URL will fail. This cannot be undone.'}),
                        intl.formatMessage({id: 'common.delete', defaultMessage: 'Delete'}), () => client.removeIncomingWebhook(h.id), reload)}>
                    <FormattedMessage id='common.delete' defaultMessage='Delete'/>
                </button>
            )}
        />
    );
}

// ---------------------------------------------------------------- outgoing webhooks

function OutgoingSection({team}: {team: Team}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const channels = useStore((s) => s.channels);
    const load = useCallback(() => client.getOutgoingWebhooks('', team.id, 0, 200), [team.id]);
    return (
        <Section<OutgoingWebhook>
            title={intl.formatMessage(M.outgoing_webhooks)}
            spec={outgoingSpec as unknown as KindSpec<OutgoingWebhook>}
            team={team}
            off={config.EnableOutgoingWebhooks === 'false'
                ? intl.formatMessage({id: 'integrations.outgoing.off', defaultMessage: 'Outgoing webhooks are turned off on this server.'}) : undefined}
            intro={intl.formatMessage({id: 'integrations.outgoing.intro', defaultMessage: 'Send messages that start with a trigger word to another system, and post its answer.'})}
            load={load}
            empty={intl.formatMessage({id: 'integrations.outgoing.empty', defaultMessage: 'No outgoing webhooks yet.'})}
            idOf={(h) => h.id}
            labelOf={(h) => h.display_name || intl.formatMessage(M.webhook)}
            create={(body) => client.createOutgoingWebhook(body as OutgoingWebhook)}
            save={(_, body) => client.updateOutgoingWebhook(body as OutgoingWebhook)}
            main={(h) => (
                <>
                    <div className='integration__title'>{h.display_name || intl.formatMessage(M.untitled)}</div>
                    {h.description && <div className='integration__desc'>{h.description}</div>}
                    <div className='integration__meta'>
                        {h.channel_id ? `~${channels[h.channel_id]?.name ?? h.channel_id}`
                            : intl.formatMessage({id: 'integrations.any_public', defaultMessage: 'Any public channel'})}
                        {h.trigger_words?.length
                            ? ' · ' + intl.formatMessage({id: 'integrations.triggers', defaultMessage: 'triggers: {words}'}, {words: h.trigger_words.join(', ')}) : ''}
                    </div>
                    <div className='integration__meta'>{h.callback_urls.join(', ')}</div>
                    <div className='integration__secret'>
                        <FormattedMessage {...M.token} values={{token: <code>{h.token}</code>}}/>
                        <CopyButton text={h.token} label={intl.formatMessage(M.copyToken, {name: h.display_name || intl.formatMessage(M.webhook)})}/>
                    </div>
                </>
            )}
            actions={(h, reload) => (
                <>
                    <RegenButton label={h.display_name || intl.formatMessage(M.webhook)} run={() => client.regenOutgoingHookToken(h.id)} reload={reload}/>
                    <button type='button' className='btn btn--small btn--danger-ghost'
                        aria-label={intl.formatMessage(M.deleteItem, {name: h.display_name || intl.formatMessage(M.webhook)})}
                        onClick={() => confirmDelete(intl.formatMessage({id: 'integrations.outgoing.delete', defaultMessage: 'Delete outgoing webhook'}),
                            intl.formatMessage({id: 'integrations.outgoing.delete_body', defaultMessage: 'Messages will no longer be sent on. This cannot be undone.'}),
                            intl.formatMessage({id: 'common.delete', defaultMessage: 'Delete'}), () => client.removeOutgoingWebhook(h.id), reload)}>
                        <FormattedMessage id='common.delete' defaultMessage='Delete'/>
                    </button>
                </>
            )}
        />
    );
}

// ---------------------------------------------------------------- slash commands

function CommandSection({team}: {team: Team}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getCustomTeamCommands(team.id), [team.id]);
    return (
        <Section<Command>
            title={intl.formatMessage(M.commands)}
            spec={commandSpec as unknown as KindSpec<Command>}
            team={team}
            off={config.EnableCommands === 'false'
                ? intl.formatMessage({id: 'integrations.commands.off', defaultMessage: 'Custom slash commands are turned off on this server.'}) : undefined}
            intro={intl.formatMessage({id: 'integrations.commands.intro', defaultMessage: 'Commands typed as /word in the message box, answered by your service.'})}
            load={load}
            empty={intl.formatMessage({id: 'integrations.commands.empty', defaultMessage: 'No slash commands yet.'})}
            idOf={(c) => c.id}
            labelOf={(c) => `/${c.trigger}`}
            create={(body) => client.addCommand(body as Command)}
            save={(_, body) => client.editCommand(body as Command)}
            main={(c) => (
                <>
                    <div className='integration__title'>{c.display_name || `/${c.trigger}`} <code>/{c.trigger}</code></div>
                    {c.description && <div className='integration__desc'>{c.description}</div>}
                    <div className='integration__meta'>{c.method === 'G' ? 'GET' : 'POST'} {c.url}</div>
                    <div className='integration__secret'>
                        <FormattedMessage {...M.token} values={{token: <code>{c.token}</code>}}/>
                        <CopyButton text={c.token} label={intl.formatMessage(M.copyToken, {name: `/${c.trigger}`})}/>
                    </div>
                </>
            )}
            actions={(c, reload) => (
                <>
                    <RegenButton label={`/${c.trigger}`} run={() => client.regenCommandToken(c.id)} reload={reload}/>
                    <button type='button' className='btn btn--small btn--danger-ghost' aria-label={intl.formatMessage(M.deleteItem, {name: `/${c.trigger}`})}
                        onClick={() => confirmDelete(intl.formatMessage({id: 'integrations.commands.delete', defaultMessage: 'Delete slash command'}),
                            intl.formatMessage({id: 'integrations.commands.delete_body', defaultMessage: '{command} will stop working. This cannot be undone.'}, {command: `/${c.trigger}`}),
                            intl.formatMessage({id: 'common.delete', defaultMessage: 'Delete'}), () => client.deleteCommand(c.id), reload)}>
                        <FormattedMessage id='common.delete' defaultMessage='Delete'/>
                    </button>
                </>
            )}
        />
    );
}

// ---------------------------------------------------------------- bots

function BotSection({team}: {team: Team}) {
    const intl = useIntl();
    const config = useStore((s) => s.config);
    const load = useCallback(() => client.getBotsIncludeDeleted(0, 200), []);
    return (
        <Section<Bot>
            title={intl.formatMessage(M.bots)}
            spec={botSpec as unknown as KindSpec<Bot>}
            team={team}
            off={config.EnableBotAccountCreation === 'false'
                ? intl.formatMessage({id: 'integrations.bots.off', defaultMessage: 'Creating bot accounts is turned off on this server (System Console → Integrations → Bot Accounts).'})
                : undefined}
            intro={intl.formatMessage({id: 'integrations.bots.intro', defaultMessage: 'Accounts for scripts and integrations; they post with a BOT tag and log in with access tokens.'})}
            load={load}
            empty={intl.formatMessage({id: 'integrations.bots.empty', defaultMessage: 'No bot accounts yet.'})}
            idOf={(b) => b.user_id}
            labelOf={(b) => `@${b.username}`}
            itemClass={(b) => (b.delete_at ? 'integration--off' : '')}
            create={(body) => client.createBot(body as Bot)}
            save={(b, body) => client.patchBot(b.user_id, body as Bot)}
            main={(b) => (
                <>
                    <div className='integration__title'>{b.display_name || b.username} <span className='pill pill--bot'><FormattedMessage id='post.bot' defaultMessage='BOT'/></span>
                        {b.delete_at ? <span className='pill'><FormattedMessage id='integrations.bots.disabled' defaultMessage='Disabled'/></span> : null}</div>
                    <div className='integration__meta'>@{b.username}</div>
                    {b.description && <div className='integration__desc'>{b.description}</div>}
                </>
            )}
            actions={(b, reload) => (b.delete_at ? (
                <button type='button' className='btn btn--small btn--secondary'
                    aria-label={intl.formatMessage({id: 'integrations.bots.enable_label', defaultMessage: 'Enable {name}'}, {name: `@${b.username}`})}
                    onClick={() => void client.enableBot(b.user_id).then(reload)}><FormattedMessage id='integrations.bots.enable' defaultMessage='Enable'/></button>
            ) : (
                <button type='button' className='btn btn--small btn--danger-ghost'
                    aria-label={intl.formatMessage({id: 'integrations.bots.disable_label', defaultMessage: 'Disable {name}'}, {name: `@${b.username}`})}
                    onClick={() => confirmDelete(intl.formatMessage({id: 'integrations.bots.disable_title', defaultMessage: 'Disable bot account'}),
                        intl.formatMessage({id: 'integrations.bots.disable_body', defaultMessage: '{name} will no longer be able to log in or post.'}, {name: `@${b.username}`}),
                        intl.formatMessage({id: 'integrations.bots.disable', defaultMessage: 'Disable'}), () => client.disableBot(b.user_id), reload)}>
                    <FormattedMessage id='integrations.bots.disable' defaultMessage='Disable'/>
                </button>
            ))}
        />
    );
}

export function IntegrationsView({team, tab}: {team: Team; tab: Tab}) {
    const intl = useIntl();
    const go = (t: Tab) => navigate(paths.integrations(team.name, t));
    return (
        <main className='center integrations' aria-label={intl.formatMessage({id: 'integrations.title', defaultMessage: 'Integrations'})}>
            <header className='channel-header'>
                <button className='icon-btn channel-header__menu' aria-label={intl.formatMessage({id: 'channel_header.open_sidebar', defaultMessage: 'Open channel list'})}
                    onClick={() => update(() => ({sidebarOpen: true}))}>
                    <Icon name='menu'/>
                </button>
                <div className='channel-header__main'>
                    <h1 className='channel-header__title'><Icon name='plug' size={16}/><span><FormattedMessage id='integrations.title' defaultMessage='Integrations'/></span></h1>
                </div>
            </header>
            <div className='integrations__body'>
                <div className='integrations__tabs' role='tablist' aria-label={intl.formatMessage({id: 'integrations.kinds', defaultMessage: 'Integration kinds'})}>
                    {TABS.map((t) => (
                        <button key={t.id} type='button' role='tab' aria-selected={tab === t.id}
                            className={`integrations__tab${tab === t.id ? ' is-active' : ''}`} onClick={() => go(t.id)}>{intl.formatMessage(M[t.id])}</button>
                    ))}
                </div>
                <div role='tabpanel' aria-label={intl.formatMessage(M[tab])}>
                    {tab === 'incoming_webhooks' && <IncomingSection team={team}/>}
                    {tab === 'outgoing_webhooks' && <OutgoingSection team={team}/>}
                    {tab === 'commands' && <CommandSection team={team}/>}
                    {tab === 'bots' && <BotSection team={team}/>}
                </div>
            </div>
        </main>
    );
}
