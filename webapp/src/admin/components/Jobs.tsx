// Bulk import and export jobs: start one, watch its progress, download the export.
import {useCallback, useEffect, useState} from 'react';
import {FormattedDate, FormattedMessage, FormattedTime, defineMessages, useIntl} from 'react-intl';
import type {Job} from '@mattermost/types/jobs';

import {client} from '../../client';
import {apiFetch} from '../lib/api';
import {ErrorNote, Loading, PageHeader} from './common';

const statusText = defineMessages({
    pending: {id: 'admin.jobs.status.pending', defaultMessage: 'Pending'},
    in_progress: {id: 'admin.jobs.status.inProgress', defaultMessage: 'In progress'},
    success: {id: 'admin.jobs.status.success', defaultMessage: 'Success'},
    error: {id: 'admin.jobs.status.error', defaultMessage: 'Error'},
    cancel_requested: {id: 'admin.jobs.status.cancelRequested', defaultMessage: 'Cancelling'},
    canceled: {id: 'admin.jobs.status.canceled', defaultMessage: 'Canceled'},
    warning: {id: 'admin.jobs.status.warning', defaultMessage: 'Warning'},
});

const ACTIVE = new Set(['pending', 'in_progress', 'cancel_requested']);

export function jobIsActive(job: Pick<Job, 'status'>): boolean {
    return ACTIVE.has(job.status);
}

export function JobsView() {
    const intl = useIntl();
    const [jobs, setJobs] = useState<Job[] | null>(null);
    const [imports, setImports] = useState<string[]>([]);
    const [chosen, setChosen] = useState('');
    const [error, setError] = useState<unknown>(null);

    const load = useCallback(async () => {
        try {
            const [exp, imp, files] = await Promise.all([
                client.getJobsByType('export_process', 0, 20), client.getJobsByType('import_process', 0, 20),
                apiFetch<string[]>('/imports'),
            ]);
            setJobs([...exp, ...imp].sort((a, b) => b.create_at - a.create_at));
            setImports(files || []);
        } catch (e) {
            setError(e);
        }
    }, []);

    useEffect(() => {
        void load();
    }, [load]);

    const running = jobs?.some(jobIsActive);
    useEffect(() => {
        if (!running) {
            return;
        }
        const t = setInterval(() => void load(), 2000);
        return () => clearInterval(t);
    }, [running, load]);

    const start = async (job: {type: string; data: Record<string, string>}) => {
        setError(null);
        try {
            await client.createJob(job as never);
            await load();
        } catch (e) {
            setError(e);
        }
    };

    return (
        <div className='admin-page'>
            <PageHeader title={<FormattedMessage id='admin.page.jobs' defaultMessage='Import and Export'/>}/>
            <div className='admin-page__body'>
                <ErrorNote error={error}/>
                <section className='admin-card'>
                    <h2 className='admin-card__title'><FormattedMessage id='admin.jobs.export' defaultMessage='Bulk export'/></h2>
                    <p className='muted'><FormattedMessage id='admin.jobs.exportHelp' defaultMessage='Writes every team, channel, user, post and attachment to a Mattermost bulk export file (a zip) in the export directory.'/></p>
                    <button type='button' className='btn btn--primary' onClick={() => void start({type: 'export_process', data: {include_attachments: 'true'}})}>
                        <FormattedMessage id='admin.jobs.exportNow' defaultMessage='Export now'/>
                    </button>
                </section>
                <section className='admin-card'>
                    <h2 className='admin-card__title'><FormattedMessage id='admin.jobs.import' defaultMessage='Bulk import'/></h2>
                    <p className='muted'><FormattedMessage id='admin.jobs.importHelp' defaultMessage='Imports a file already uploaded to the import directory (mmctl import upload, or chinwag import upload).'/></p>
                    <div className='admin-inline-form'>
                        <select className='input' value={chosen} onChange={(e) => setChosen(e.target.value)}
                            aria-label={intl.formatMessage({id: 'admin.jobs.importFile', defaultMessage: 'File to import'})}>
                            <option value=''>{imports.length
                                ? intl.formatMessage({id: 'admin.jobs.chooseFile', defaultMessage: 'Choose an uploaded file…'})
                                : intl.formatMessage({id: 'admin.jobs.noFiles', defaultMessage: 'No uploaded files'})}</option>
                            {imports.map((f) => <option key={f} value={f}>{f}</option>)}
                        </select>
                        <button type='button' className='btn btn--secondary' disabled={!chosen} onClick={() => void start({type: 'import_process', data: {import_file: chosen}})}>
                            <FormattedMessage id='admin.jobs.importNow' defaultMessage='Import'/>
                        </button>
                    </div>
                </section>
                {!jobs && !error && <Loading/>}
                {jobs && (
                    <table className='admin-table'>
                        <caption className='admin-table__caption'><FormattedMessage id='admin.jobs.recent' defaultMessage='Recent jobs'/></caption>
                        <thead>
                            <tr>
                                <th scope='col'><FormattedMessage id='admin.jobs.colType' defaultMessage='Type'/></th>
                                <th scope='col'><FormattedMessage id='admin.jobs.colStatus' defaultMessage='Status'/></th>
                                <th scope='col'><FormattedMessage id='admin.jobs.colProgress' defaultMessage='Progress'/></th>
                                <th scope='col'><FormattedMessage id='admin.jobs.colCreated' defaultMessage='Started'/></th>
                                <th scope='col'><FormattedMessage id='admin.jobs.colResult' defaultMessage='Result'/></th>
                            </tr>
                        </thead>
                        <tbody>
                            {jobs.map((j) => (
                                <tr key={j.id}>
                                    <td>{(j.type as string) === 'export_process'
                                        ? <FormattedMessage id='admin.jobs.typeExport' defaultMessage='Export'/>
                                        : <FormattedMessage id='admin.jobs.typeImport' defaultMessage='Import'/>}</td>
                                    <td><span className={`admin-status admin-status--${j.status}`}>{j.status in statusText ? intl.formatMessage(statusText[j.status as keyof typeof statusText]) : j.status}</span></td>
                                    <td>
                                        <progress className='admin-progress' max={100} value={j.progress >= 0 ? j.progress : 0}
                                            aria-label={intl.formatMessage({id: 'admin.jobs.progressOf', defaultMessage: 'Progress of job {id}'}, {id: j.id})}/>
                                        <span className='muted'> {Math.max(0, j.progress)}%</span>
                                    </td>
                                    <td><FormattedDate value={j.create_at} dateStyle='medium'/> <FormattedTime value={j.create_at}/></td>
                                    <td>
                                        {(j.type as string) === 'export_process' && j.status === 'success' && j.data?.export_file && (
                                            <a className='btn btn--secondary btn--small' href={`${client.getBaseRoute()}/exports/${encodeURIComponent(j.data.export_file)}`} download>
                                                <FormattedMessage id='admin.jobs.download' defaultMessage='Download'/>
                                            </a>
                                        )}
                                        {j.status === 'error' && <span className='admin-action__error'>{j.data?.error || ''}</span>}
                                        {(j.type as string) === 'import_process' && <span className='muted'>{j.data?.import_file}</span>}
                                    </td>
                                </tr>
                            ))}
                            {jobs.length === 0 && <tr><td colSpan={5} className='admin-table__empty'><FormattedMessage id='admin.jobs.none' defaultMessage='No import or export has run yet.'/></td></tr>}
                        </tbody>
                    </table>
                )}
            </div>
        </div>
    );
}
