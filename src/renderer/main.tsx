import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApi } from './api';
import { Store } from './state/store';
import './styles.css';

const handle = createApi(window);
const store = new Store(handle.transport.status);
const root = createRoot(document.getElementById('root')!);
root.render(<App handle={handle} store={store} />);
