// Plugin Management: the installed plugins with their state on this server, enable/disable, upload a
// bundle (when PluginSettings.EnableUploads allows it), and each plugin's settings from its settings_schema.
import {useCallback, useEffect, useState} from 'react';
import {FormattedMessage, defineMessages, useIntl, type MessageDescriptor} from 'react-intl';

import {client} from '../../client';
import {ErrorNote, Loading, PageHeader} from './common';

type SchemaSetting = {key: string; display_name?: string; type?: string; help_text?: string; default?: unknown; secret?: boolean};
type Manifest = {id: string; name?: string; description?: string; version?: string; settings_schema?: {header?: string; settings?: SchemaSetting[]}};
type Status = {plugin_id: string; state: number; error?: string};

const stateText = defineMessages({
    0: {id: 'admin.plugins.state.notRunning', defaultMessage: 'Not running'},
    1: {id: 'admin.plugins.state.starting', defaultMessage: 'Starting'},
    2: {id: 'admin.plugins.state.running', defaultMessage: 'Running'},
    3: {id: 'admin.plugins.state.failedToStart', defaultMessage: 'Failed to start'},
    4: {id: 'admin.plugins.state.failedToStayRunning', defaultMessage: 'Crashed, restarting'},
    5: {id: 'admin.plugins.state.stopping', defaultMessage: 'Stopping'},
});

const actionText = defineMessages({
    enableName: {id: 'admin.plugins.enableName', defaultMessage: 'Enable {name}'},
    disableName: {id: 'admin.plugins.disableName', defaultMessage: 'Disable {name}'},
});

/** ``readOnly``: the caller may read plugins (sysconsole_read_plugins) but not change them. */
export function PluginsView({readOnly = false}: {readOnly?: boolean}) {
    const intl = useIntl();
    const [plugins, setPlugins] = useState<{manifest: Manifest; active: boolean}[] | null>(null);
    const [statuses, setStatuses] = useState<Record<string, Status>>({});
    const [settings, setSettings] = useState<Record<string, Record<string, unknown>>>({});
    const [uploads, setUploads] = useState(false);
    const [editing, setEditing] = useState<string | null>(null);
    const [draft, setDraft] = useState<Record<string, unknown>>({});
    const [saved, setSaved] = useState(false);
    const [error, setError] = useState<unknown>(null);

    const load = useCallback(async () => {
        try {
            const [list, st, cfg] = await Promise.all([client.getPlugins(), client.getPluginStatuses(), client.getConfig()]);
            const all = [...list.active.map((m) => ({manifest: m as Manifest, active: true})),
                ...list.inactive.map((m) => ({manifest: m as Manifest, active: false}))];
            all.sort((a, b) => (a.manifest.name || a.manifest.id).localeCompare(b.manifest.name || b.manifest.id));
            setPlugins(all);
            // one entry per plugin and node, this node's first: show this node's
            setStatuses(Object.fromEntries([...(st as unknown as Status[])].reverse().map((s) => [s.plugin_id, s])));
            const ps = (cfg as unknown as {PluginSettings: {EnableUploads: boolean; Plugins: Record<string, Record<string, unknown>>}}).PluginSettings;
            setSettings(ps.Plugins || {});
            setUploads(ps.EnableUploads);
        } catch (e) {
            setError(e);
        }
    }, []);

    useEffect(() => {
        void load();
    }, [load]);

    const act = async (work: () => Promise<unknown>) => {
        setError(null);
        setSaved(false);
        try {
            await work();
        } catch (e) {
            setError(e);
        }
        await load();
    };

    const edit = (m: Manifest) => {
        const current = settings[m.id] || {};
        const values: Record<string, unknown> = {};
        for (const s of m.settings_schema?.settings || []) {
            const key = s.key.toLowerCase();
            values[key] = key in current ? current[key] : s.default ?? (s.type === 'bool' ? false : '');
        }
        setDraft(values);
        setSaved(false);
        setEditing(m.id);
    };

    const editingManifest = plugins?.find((p) => p.manifest.id === editing)?.manifest;
    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.pluginManagement' defaultMessage='Plugin Management'/>}/>
            <div className='admin-page__body'>
                <ErrorNote error={error}/>
                {saved && <p className='admin-saved' role='status'><FormattedMessage id='admin.plugins.saved' defaultMessage='Plugin settings saved.'/></p>}
                {readOnly && <p className='admin-readonly-note' role='note'><FormattedMessage id='admin.readOnly.plugins' defaultMessage='Your role lets you view the plugins but not change them.'/></p>}
                {!readOnly && <section className='admin-card'>
                    <h2 className='admin-card__title'><FormattedMessage id='admin.plugins.upload' defaultMessage='Upload a plugin'/></h2>
                    {uploads ? (
                        <input type='file' accept='.tar.gz,application/gzip'
                            aria-label={intl.formatMessage({id: 'admin.plugins.uploadFile', defaultMessage: 'Plugin bundle (.tar.gz)'})}
                            onChange={(e) => {
                                const file = e.target.files?.[0];
                                if (file) {
                                    void act(() => client.uploadPlugin(file, true));
                                }
                            }}/>
                    ) : (
                        <p className='muted'><FormattedMessage id='admin.plugins.uploadsOff' defaultMessage='Uploads are off (PluginSettings.EnableUploads, which only local mode can change: mmctl --local config set PluginSettings.EnableUploads true).'/></p>
                    )}
                </section>}
                {!plugins && !error && <Loading/>}
                {plugins && (
                    <table className='admin-table'>
                        <caption className='admin-table__caption'><FormattedMessage id='admin.plugins.installed' defaultMessage='Installed plugins'/></caption>
                        <thead>
                            <tr>
                                <th scope='col'><FormattedMessage id='admin.plugins.colName' defaultMessage='Plugin'/></th>
                                <th scope='col'><FormattedMessage id='admin.plugins.colVersion' defaultMessage='Version'/></th>
                                <th scope='col'><FormattedMessage id='admin.plugins.colState' defaultMessage='State'/></th>
                                <th scope='col'><FormattedMessage id='admin.plugins.colActions' defaultMessage='Actions'/></th>
                            </tr>
                        </thead>
                        <tbody>
                            {plugins.map(({manifest: m}) => {
                                const st = statuses[m.id];
                                const state = st?.state ?? 0;
                                const enabled = state === 1 || state === 2 || state === 4;
                                const name = m.name || m.id;
                                return (
                                    <tr key={m.id} data-plugin={m.id}>
                                        <td><strong>{name}</strong><div className='muted'><code>{m.id}</code></div>{m.description && <div className='muted'>{m.description}</div>}</td>
                                        <td>{m.version}</td>
                                        <td>
                                            <span className='admin-plugin-state'>{intl.formatMessage(stateText[state as keyof typeof stateText] || stateText[0])}</span>
                                            {st?.error && <div className='admin-error'>{st.error}</div>}
                                        </td>
                                        <td>
                                            {!readOnly && <button type='button' className='btn btn--secondary'
                                                aria-label={intl.formatMessage((enabled ? actionText.disableName : actionText.enableName) as MessageDescriptor, {name})}
                                                onClick={() => void act(() => (enabled ? client.disablePlugin(m.id) : client.enablePlugin(m.id)))}>
                                                {enabled
                                                    ? <FormattedMessage id='admin.plugins.disable' defaultMessage='Disable'/>
                                                    : <FormattedMessage id='admin.plugins.enable' defaultMessage='Enable'/>}
                                            </button>}
                                            {!readOnly && (m.settings_schema?.settings || []).length > 0 && (
                                                <button type='button' className='btn btn--secondary'
                                                    aria-label={intl.formatMessage({id: 'admin.plugins.settingsName', defaultMessage: 'Settings of {name}'}, {name})}
                                                    onClick={() => edit(m)}>
                                                    <FormattedMessage id='admin.plugins.settings' defaultMessage='Settings'/>
                                                </button>
                                            )}
                                        </td>
                                    </tr>
                                );
                            })}
                        </tbody>
                    </table>
                )}
                {editingManifest && !readOnly && (
                    <form className='admin-card' onSubmit={(e) => {
                        e.preventDefault();
                        const id = editingManifest.id;
                        void act(async () => {
                            await client.patchConfig({PluginSettings: {Plugins: {...settings, [id]: draft}}} as never);
                            setSaved(true);
                        });
                    }}>
                        <h2 className='admin-card__title'>
                            <FormattedMessage id='admin.plugins.settingsOf' defaultMessage='{name} settings' values={{name: editingManifest.name || editingManifest.id}}/>
                        </h2>
                        {editingManifest.settings_schema?.header && <p className='muted'>{editingManifest.settings_schema.header}</p>}
                        {(editingManifest.settings_schema?.settings || []).map((s) => {
                            const key = s.key.toLowerCase();
                            const label = s.display_name || s.key;
                            return (
                                <div key={key} className='admin-setting'>
                                    {s.type === 'bool' ? (
                                        <label className='admin-setting__label'>
                                            <input type='checkbox' checked={Boolean(draft[key])}
                                                onChange={(e) => setDraft({...draft, [key]: e.target.checked})}/> {label}
                                        </label>
                                    ) : (
                                        <label className='admin-setting__label'>
                                            {label}
                                            <input className='input' type={s.secret ? 'password' : 'text'} value={String(draft[key] ?? '')}
                                                onChange={(e) => setDraft({...draft, [key]: e.target.value})}/>
                                        </label>
                                    )}
                                    {s.help_text && <p className='muted'>{s.help_text}</p>}
                                </div>
                            );
                        })}
                        <button type='submit' className='btn btn--primary'><FormattedMessage id='admin.plugins.save' defaultMessage='Save'/></button>
                    </form>
                )}
            </div>
        </div>
    );
}
