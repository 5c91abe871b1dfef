// Dropping files on a channel or a thread attaches them to that composer.
import {useRef, useState, type DragEvent} from 'react';
import {FormattedMessage} from 'react-intl';

import {dropFiles} from '../lib/files';
import {Icon} from './Icon';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

export function useFileDrop(channelId: string, rootId: string, disabled = false) {
    const [dragging, setDragging] = useState(false);
    const depth = useRef(0);
    const handlers = {
        onDragEnter: (e: DragEvent) => {
            if (!disabled && hasFiles(e)) {
                depth.current++;
                setDragging(true);
            }
        },
        onDragOver: (e: DragEvent) => {
            if (!disabled && hasFiles(e)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = 'copy';
            }
        },
        onDragLeave: (e: DragEvent) => {
            if (hasFiles(e) && --depth.current <= 0) {
                depth.current = 0;
                setDragging(false);
            }
        },
        onDrop: (e: DragEvent) => {
            if (disabled || !hasFiles(e)) {
                return;
            }
            e.preventDefault();
            e.stopPropagation();
            depth.current = 0;
            setDragging(false);
            dropFiles(channelId, rootId, Array.from(e.dataTransfer.files));
        },
    };
    const overlay = dragging ? (
        <div className='drop-overlay' aria-hidden='true'>
            <div className='drop-overlay__box'><Icon name='paperclip' size={32}/><span>{rootId
                ? <FormattedMessage id='files.drop_reply' defaultMessage='Drop files to attach them to your reply'/>
                : <FormattedMessage id='files.drop_message' defaultMessage='Drop files to attach them to your message'/>}</span></div>
        </div>
    ) : null;
    return {handlers, overlay};
}
