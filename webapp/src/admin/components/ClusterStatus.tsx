// The server processes sharing this database (GET /cluster/status), as Mattermost's High Availability page lists them.
import {useEffect, useState} from 'react';
import {FormattedMessage, FormattedRelativeTime} from 'react-intl';
import type {ClusterInfo} from '@mattermost/types/admin';

import {client} from '../../client';
import {ErrorNote, Loading} from './common';

type Node = ClusterInfo & {last_seen?: number};

export function ClusterStatus() {
    const [nodes, setNodes] = useState<Node[] | null>(null);
    const [error, setError] = useState<unknown>(null);

    useEffect(() => {
        let cancelled = false;
        const load = () => client.getClusterStatus()
            .then((n) => !cancelled && setNodes(n as Node[]))
            .catch((e) => !cancelled && setError(e));
        void load();
        const t = setInterval(load, 15000);
        return () => {
            cancelled = true;
            clearInterval(t);
        };
    }, []);

    const hashes = new Set((nodes || []).map((n) => n.config_hash));
    return (
        <section className='admin-card admin-card--wide'>
            <h2 className='admin-card__title'><FormattedMessage id='admin.cluster.title' defaultMessage='Cluster status'/></h2>
            <ErrorNote error={error}/>
            {!nodes && !error && <Loading/>}
            {nodes && (
                <>
                    <p className='muted'>
                        {hashes.size > 1
                            ? <FormattedMessage id='admin.cluster.mismatch' defaultMessage='The nodes do not have the same configuration: check their config.json and MM_* variables.'/>
                            : <FormattedMessage id='admin.cluster.count' defaultMessage='{count, plural, one {# server process uses} other {# server processes use}} this database.' values={{count: nodes.length}}/>}
                    </p>
                    <table className='admin-table admin-table--inner'>
                        <thead>
                            <tr>
                                <th scope='col'><FormattedMessage id='admin.cluster.hostname' defaultMessage='Hostname'/></th>
                                <th scope='col'><FormattedMessage id='admin.cluster.version' defaultMessage='Version'/></th>
                                <th scope='col'><FormattedMessage id='admin.cluster.schema' defaultMessage='Schema version'/></th>
                                <th scope='col'><FormattedMessage id='admin.cluster.config' defaultMessage='Config hash'/></th>
                                <th scope='col'><FormattedMessage id='admin.cluster.address' defaultMessage='Address'/></th>
                                <th scope='col'><FormattedMessage id='admin.cluster.seen' defaultMessage='Last seen'/></th>
                            </tr>
                        </thead>
                        <tbody>
                            {nodes.map((n) => (
                                <tr key={n.id}>
                                    <td>{n.hostname}</td>
                                    <td>{n.version}</td>
                                    <td><code>{n.schema_version}</code></td>
                                    <td><code>{n.config_hash.slice(0, 12)}</code></td>
                                    <td>{n.ipaddress}</td>
                                    <td>{n.last_seen ? <FormattedRelativeTime value={Math.round((n.last_seen - Date.now()) / 1000)} numeric='auto' updateIntervalInSeconds={10}/> : ''}</td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                </>
            )}
        </section>
    );
}
