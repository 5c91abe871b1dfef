// Naming a sidebar category: create one (optionally filing a channel in it) or rename a custom one.
import {useState, type FormEvent} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';

import {errorText} from '../client';
import {createCategory, renameCategory} from '../sidebar_categories';
import {useStore} from '../store';
import {Modal, close} from './Modals';

export function CategoryNameModal({teamId, categoryId, channelId}: {teamId: string; categoryId?: string; channelId?: string}) {
    const intl = useIntl();
    const existing = useStore((s) => (categoryId ? s.categories[teamId]?.byId[categoryId] : undefined));
    const [name, setName] = useState(existing?.display_name ?? '');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        try {
            if (categoryId) {
                await renameCategory(teamId, categoryId, name.trim());
            } else {
                await createCategory(teamId, name.trim(), channelId ? [channelId] : []);
            }
            close();
        } catch (err) {
            setError(errorText(err, intl.formatMessage({id: 'sidebar.category.save_failed', defaultMessage: 'Could not save the category.'})));
            setBusy(false);
        }
    };
    const title = categoryId ? intl.formatMessage({id: 'sidebar.category.rename', defaultMessage: 'Rename category'})
        : intl.formatMessage({id: 'sidebar.category.create', defaultMessage: 'Create new category'});
    return (
        <Modal title={title} onSubmit={submit} footer={<>
            <button type='button' className='btn btn--secondary' onClick={close}><FormattedMessage id='common.cancel' defaultMessage='Cancel'/></button>
            <button type='submit' className='btn btn--primary' disabled={busy || !name.trim()}>
                {categoryId ? <FormattedMessage id='sidebar.category.rename_submit' defaultMessage='Rename'/>
                    : <FormattedMessage id='sidebar.category.create_submit' defaultMessage='Create'/>}
            </button>
        </>}>
            <label className='field'>
                <span className='field__label'><FormattedMessage id='sidebar.category.name' defaultMessage='Category name'/></span>
                <input className='input' value={name} maxLength={64} onChange={(e) => setName(e.target.value)} required autoFocus/>
            </label>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </Modal>
    );
}
