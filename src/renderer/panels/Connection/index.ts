export { ConnectionPanel } from './ConnectionPanel';
