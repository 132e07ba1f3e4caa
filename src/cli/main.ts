import { Command } from 'commander';
import { registerAppCommands } from './app-commands.ts';
import { registerCarrierCommands } from './carrier-commands.ts';
import { registerLabelCommand } from './label-command.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerEventsCommands } from './events-commands.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerStateCommands } from './state-commands.ts';

const program = new Command('wxlogistics')
  .description('Self-hostable, wire-compatible WeChat Logistics Assistant (物流助手) server')
  .showHelpAfterError();

registerServeCommand(program);
registerAppCommands(program);
registerCarrierCommands(program);
registerLabelCommand(program);
registerEventsCommands(program);
registerMigrateCommand(program);
registerStateCommands(program);


await program.parseAsync(process.argv);
