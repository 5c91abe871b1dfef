import {createRoot} from 'react-dom/client';

import {App} from './components/App';
import {I18nProvider} from './i18n';
import './styles.css';

createRoot(document.getElementById('root')!).render(
    <I18nProvider>
        <App/>
    </I18nProvider>,
);
