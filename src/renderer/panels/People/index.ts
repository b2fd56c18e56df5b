export { PeoplePanel } from './PeoplePanel';
