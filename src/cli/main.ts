import { Command } from 'commander';
import { registerAppCommands } from './app-commands.ts';
import { registerCarrierCommands } from './carrier-commands.ts';
import { registerLabelCommand } from './label-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerEventsCommands } from './events-commands.ts';
import { registerFaultsCommands } from './faults-commands.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerStateCommands } from './state-commands.ts';
import { registerCarrierCheckCommand } from './carrier-check-command.ts';

const program = new Command('wxlogistics')
  .description('Self-hostable, wire-compatible WeChat Logistics Assistant (物流助手) server')
  .showHelpAfterError();

registerServeCommand(program);
registerAppCommands(program);
registerCarrierCheckCommand(registerCarrierCommands(program));
registerLabelCommand(program);
registerEventsCommands(program);
registerFaultsCommands(program);
registerMigrateCommand(program);
registerStateCommands(program);

await program.parseAsync(process.argv);
