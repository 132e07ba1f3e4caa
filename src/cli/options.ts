import { Option } from 'commander';

export const dataOption = () => new Option('--data <dir>', 'data directory of the embedded store').default('.wxlogistics');
